/**
 * Windows: assigners (tumbling, sliding and session windows in event and processing time, the global window
 * for count windows), triggers and their results, evictors, the window types and process window functions.
 * The operator that runs them is {@code dev.millrace.runtime.operators.WindowOperator}.
 */
package dev.millrace.runtime.windows;
