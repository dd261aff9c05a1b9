/**
 * What jobs are written with: {@link dev.millrace.runtime.api.JobBuilder} (sources, then
 * {@link dev.millrace.runtime.api.DataStream} operations, {@link dev.millrace.runtime.api.KeyedStream} and
 * {@link dev.millrace.runtime.api.WindowedStream}, sinks), the function interfaces, and the collection,
 * generator, collecting and printing sources and sinks.
 */
package dev.millrace.runtime.api;
