/**
 * Event-time windows: tumbling and sliding assigners, the window type and process window functions.
 */
package dev.millrace.runtime.windows;
