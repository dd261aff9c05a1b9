package dev.millrace.runtime.execution;

/**
 * Where an operator's output goes inside an instance: the next operator of the chain, or an exchange.
 */
interface ElementTarget
{
    void record(Object value, long timestampMs);

    void watermark(long watermarkMs);

    void status(boolean idle);
}
