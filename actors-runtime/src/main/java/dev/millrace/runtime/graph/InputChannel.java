package dev.millrace.runtime.graph;

/**
 * One input channel of a receiving instance: what one sending instance sends it over one edge. A receiving
 * instance numbers its channels in the order of {@link JobGraph#inputChannels(int, int)}.
 *
 * @param edgeId        the edge
 * @param sourceSubtask the sending instance
 */
public record InputChannel(int edgeId, int sourceSubtask)
{
}
