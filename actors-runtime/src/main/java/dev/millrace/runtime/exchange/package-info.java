/**
 * Exchanges between operator instances on different nodes: a buffer's records are encoded once into bytes
 * ({@link dev.millrace.runtime.exchange.BufferCodec}) and travel as an Artery actor message, with the same
 * credit-based flow control as in-process buffers. Receivers in the same JVM get buffers by reference.
 */
package dev.millrace.runtime.exchange;
