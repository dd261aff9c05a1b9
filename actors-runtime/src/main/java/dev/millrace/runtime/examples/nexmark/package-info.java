/**
 * Nexmark: the event generator and queries q0-q8 as Millrace jobs, readable as examples of the API and run as
 * the processor's correctness suite against plain-Java computations.
 */
package dev.millrace.runtime.examples.nexmark;
