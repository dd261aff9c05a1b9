package dev.millrace.broker.kafka;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;

import org.apache.kafka.common.network.TransferableChannel;

/**
 * A non-blocking {@link SocketChannel} as the channel kafka-clients {@code Send}s write to: buffers are written as
 * they are, and a file region (a fetch response's {@link RegionRecords}) goes from the segment file to the socket with
 * {@link FileChannel#transferTo}, which is {@code sendfile} on Linux: the records never enter the JVM's memory.
 *
 * <p>Every write may write less than asked (a full socket buffer); the send keeps its place and is continued when the
 * socket is writable again.
 *
 * <p>Threading: used only by the listener's selector thread.
 */
final class SocketTransferableChannel implements TransferableChannel
{
    private final SocketChannel socket;

    SocketTransferableChannel(final SocketChannel socket)
    {
        this.socket = socket;
    }

    @Override
    public int write(final ByteBuffer source) throws IOException
    {
        return socket.write(source);
    }

    @Override
    public long write(final ByteBuffer[] sources, final int offset, final int length) throws IOException
    {
        return socket.write(sources, offset, length);
    }

    @Override
    public long write(final ByteBuffer[] sources) throws IOException
    {
        return socket.write(sources);
    }

    /**
     * @throws SegmentClosedException when the segment file was closed (retention, DeleteRecords, a replica stop) since
     *                                the fetch read the region
     * @throws EOFException           when the file is shorter than the region (truncated under it): the send could
     *                                never complete
     */
    @Override
    public long transferFrom(final FileChannel file, final long position, final long count) throws IOException
    {
        final long sent;
        try
        {
            sent = file.transferTo(position, count, socket);
        }
        catch (final ClosedChannelException ex)
        {
            if (!file.isOpen())
            {
                throw new SegmentClosedException(ex);
            }
            throw ex;
        }
        if (sent == 0 && count > 0 && position >= file.size())
        {
            throw new EOFException("the segment file ends at " + file.size() + ", before the " + count +
                " bytes of fetched records from " + position + ": it was truncated under the response");
        }
        return sent;
    }

    @Override
    public boolean hasPendingWrites()
    {
        return false;
    }

    @Override
    public boolean isOpen()
    {
        return socket.isOpen();
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }

    /** The segment file of a response's records was closed before they were sent. */
    static final class SegmentClosedException extends IOException
    {
        SegmentClosedException(final ClosedChannelException cause)
        {
            super("the segment file of the fetched records was closed (retention, DeleteRecords or a replica stop) " +
                "before they were sent: the connection closes and the client fetches again", cause);
        }
    }
}
