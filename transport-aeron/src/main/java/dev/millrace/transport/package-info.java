/**
 * The embedded Aeron media driver and its lifecycle, Artery-over-Aeron settings, and the bulk data
 * channels with credit (demand) flow control. Built in the quorum-journal and cluster issues.
 */
package dev.millrace.transport;
