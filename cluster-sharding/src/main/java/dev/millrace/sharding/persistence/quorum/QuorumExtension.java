package dev.millrace.sharding.persistence.quorum;

import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.agrona.CloseHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's share of the quorum: the {@link QuorumVoter} when {@code millrace.persistence.quorum.member-id} names
 * one (the nodes with the {@code quorum} role), and the one {@link QuorumClient} that both plugins share. Both are
 * closed when the actor system terminates.
 * <p>
 * Both run on the node's one media driver, {@code millrace.persistence.quorum.aeron-dir} (set by the broker node
 * to its transport-aeron {@code EmbeddedMediaDriver}, which it closes after the actor system). Without it, a voter
 * launches a driver of its own and the client shares it; only a node with neither gets a client-owned driver.
 * <p>
 * Created by the first quorum plugin that starts, or at actor-system start with
 * {@code pekko.extensions += "dev.millrace.sharding.persistence.quorum.QuorumExtension$Id"}, which a voter node
 * needs: its voter must run even when no persistent actor lives on it.
 * <p>
 * Threading: created once per actor system by Pekko's extension mechanism; the getters are safe from any thread.
 */
public final class QuorumExtension implements Extension
{
    private static final Logger LOG = LoggerFactory.getLogger(QuorumExtension.class);

    /** The extension id: {@code QuorumExtension.ID.get(system)}. */
    public static final Id ID = Id.MODULE$;

    private final QuorumConfig config;
    private final QuorumVoter voter;
    private final QuorumClient client;

    private QuorumExtension(final ExtendedActorSystem system)
    {
        config = QuorumConfig.fromRoot(system.settings().config());
        QuorumVoter startedVoter = null;
        try
        {
            // One media driver per node: the node's (aeron-dir) when given, else the voter's own, shared with the
            // client; only a client-only node without aeron-dir gets a driver of the client's own.
            final String nodeDir = config.aeronDir();
            startedVoter = config.memberId() >= 0 ? QuorumVoter.start(config, nodeDir.isEmpty() ? null : nodeDir) : null;
            final String clientDir = !config.nodeAeronDir().isEmpty() || startedVoter == null
                ? config.nodeAeronDir() : startedVoter.aeronDirectoryName();
            client = QuorumClient.start(config, clientDir);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(startedVoter);
            throw ex;
        }
        voter = startedVoter;
        system.registerOnTermination(this::close);
        LOG.info("Quorum journal client started (voters {}, {})", config.voters(),
            voter == null ? "no voter on this node" : "voter " + voter.memberId() + " on this node");
    }

    private void close()
    {
        CloseHelper.quietCloseAll(client, voter);
    }

    /**
     * @return the node's voter, or null when this node runs none.
     */
    public QuorumVoter voter()
    {
        return voter;
    }

    /**
     * @return the validated settings.
     */
    public QuorumConfig config()
    {
        return config;
    }

    /**
     * @return the node's client of the quorum.
     */
    public QuorumClient client()
    {
        return client;
    }

    /**
     * The extension's id.
     */
    public static final class Id extends AbstractExtensionId<QuorumExtension>
    {
        /**
         * The one instance. Named as a Scala object's instance so that Pekko's {@code pekko.extensions} loader
         * finds this instance instead of making a second one (extension ids are compared by identity).
         */
        public static final Id MODULE$ = new Id();

        private Id()
        {
        }

        @Override
        public QuorumExtension createExtension(final ExtendedActorSystem system)
        {
            return new QuorumExtension(system);
        }

        /**
         * @param system the node's actor system.
         * @return its extension, created on first use.
         */
        public QuorumExtension get(final ActorSystem system)
        {
            return apply(system);
        }
    }
}
