/**
 * Event time: watermark strategies and generators, and the valve that combines input channels' watermarks
 * and idleness into an instance's event time.
 */
package dev.millrace.runtime.time;
