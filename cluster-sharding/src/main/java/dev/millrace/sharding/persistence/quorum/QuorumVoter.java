package dev.millrace.sharding.persistence.quorum;

import dev.millrace.transport.IdleStrategies;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveMarkFile;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusterMarkFile;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * One voter of the quorum journal: for one cluster member, an Aeron Archive, the consensus module and a
 * {@link ClusteredServiceContainer} running the {@link JournalService}, on a media driver, with their files under
 * {@code dir}: {@code dir/archive} (the recorded Raft log and snapshots) and {@code dir/cluster} (the recording log
 * and mark files). Archive and cluster directories are kept at close: they are the journal.
 * <p>
 * <b>Which media driver.</b> A node has one media driver, owned by transport-aeron's {@code EmbeddedMediaDriver},
 * which also serves Artery and the node's {@link QuorumClient}: {@link #start(QuorumConfig, String)} runs the voter
 * on that driver (given by its directory) and leaves it running at close. {@link #start(QuorumConfig)} is the
 * standalone form, for tools and tests that start voters on their own: the voter then launches and owns a driver in
 * {@code dir/aeron} (deleted at close), whose directory {@link #aeronDirectoryName()} gives to a client of the same
 * process so that it needs no driver of its own.
 * <p>
 * The voter also asks for an Aeron Cluster snapshot, while it leads, once {@code cluster-snapshot.every-log-entries}
 * commands have been applied since the last one (checked every {@code cluster-snapshot.check-interval}), so the Raft
 * log that a restart replays stays short.
 * <p>
 * Threading: {@link #start} and {@link #close} from one thread; the getters from any thread.
 */
public final class QuorumVoter implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(QuorumVoter.class);
    private static final String LOCAL_ARCHIVE_CHANNEL = "aeron:ipc?term-length=64k";

    private final int memberId;
    private final Path dir;
    private final JournalService service;
    private final String aeronDir;
    private final MediaDriver ownDriver;
    private final Archive archive;
    private final ConsensusModule consensusModule;
    private final ClusteredServiceContainer container;
    private final AgentRunner snapshotTrigger;
    private final FileLock lock;
    private final AtomicBoolean closed = new AtomicBoolean();

    private QuorumVoter(
        final int memberId,
        final Path dir,
        final JournalService service,
        final String aeronDir,
        final MediaDriver ownDriver,
        final Archive archive,
        final ConsensusModule consensusModule,
        final ClusteredServiceContainer container,
        final AgentRunner snapshotTrigger,
        final FileLock lock)
    {
        this.memberId = memberId;
        this.dir = dir;
        this.service = service;
        this.aeronDir = aeronDir;
        this.ownDriver = ownDriver;
        this.archive = archive;
        this.consensusModule = consensusModule;
        this.container = container;
        this.snapshotTrigger = snapshotTrigger;
        this.lock = lock;
    }

    /**
     * Starts the voter {@code config.memberId()} standalone, with a media driver of its own in {@code dir/aeron}.
     * A node uses {@link #start(QuorumConfig, String)} instead, on its one driver.
     *
     * @param config validated settings; {@code member-id} must name a voter.
     * @return the running voter; close it to stop it (and its driver).
     * @throws IllegalStateException if it cannot start; what did start is closed again.
     */
    public static QuorumVoter start(final QuorumConfig config)
    {
        return start(config, null);
    }

    /**
     * Starts the voter {@code config.memberId()} on the media driver running in {@code aeronDir} (the node's
     * {@code EmbeddedMediaDriver}), which must outlive the voter: close the voter before the driver.
     *
     * @param config   validated settings; {@code member-id} must name a voter.
     * @param aeronDir directory of a running media driver, or null to launch an own one in {@code dir/aeron}.
     * @return the running voter; close it to stop it (the given driver keeps running).
     * @throws IllegalStateException if it cannot start; what did start is closed again.
     */
    public static QuorumVoter start(final QuorumConfig config, final String aeronDir)
    {
        final int memberId = config.memberId();
        if (memberId < 0)
        {
            throw QuorumConfig.invalid(QuorumConfig.MEMBER_ID_KEY, "must name a voter to start one", "-1");
        }
        final QuorumConfig.Voter self = config.voters().get(memberId);
        final Path dir = config.dir().toAbsolutePath();
        final boolean standalone = aeronDir == null;
        final String driverDir = standalone ? dir.resolve("aeron").toString() : aeronDir;
        final File clusterDir = dir.resolve("cluster").toFile();
        final Supplier<IdleStrategy> idle =
            () -> IdleStrategies.create(config.idleStrategy(), config.idleStrategyParams());
        final JournalService service = new JournalService(memberId, config.maxChunkBytes());

        final FileLock lock = lockDir(memberId, dir);
        MediaDriver driver = null;
        Archive archive = null;
        ConsensusModule consensusModule = null;
        ClusteredServiceContainer container = null;
        AgentRunner trigger = null;
        try
        {
            removeStaleMarkFiles(dir);
            if (standalone)
            {
                driver = MediaDriver.launch(new MediaDriver.Context()
                    .aeronDirectoryName(driverDir)
                    .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(idle.get())
                    .publicationTermBufferLength(config.termLength())
                    .ipcTermBufferLength(config.termLength())
                    // Safe: the directory lock proves no live voter uses this driver directory.
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)
                    .warnIfDirectoryExists(false)
                    .printConfigurationOnStart(false)
                    .errorHandler((ex) -> LOG.warn("Quorum voter {} media driver error", memberId, ex)));
            }

            final Archive.Context archiveContext = new Archive.Context()
                .aeronDirectoryName(driverDir)
                .archiveDir(dir.resolve("archive").toFile())
                .archiveId(memberId)
                .controlChannel("aeron:udp?endpoint=" + self.endpoint(QuorumConfig.ARCHIVE_PORT_OFFSET))
                .localControlChannel(LOCAL_ARCHIVE_CHANNEL)
                .replicationChannel("aeron:udp?endpoint=" + self.host() + ":0")
                .recordingEventsEnabled(false)
                .threadingMode(ArchiveThreadingMode.SHARED)
                .idleStrategySupplier(idle)
                .segmentFileLength(Math.max(config.termLength() * 4, 1 << 20))
                .deleteArchiveOnStart(false)
                .errorHandler((ex) -> LOG.warn("Quorum voter {} archive error", memberId, ex));

            final AeronArchive.Context archiveClient = new AeronArchive.Context()
                .aeronDirectoryName(driverDir)
                .controlRequestChannel(LOCAL_ARCHIVE_CHANNEL)
                .controlResponseChannel(LOCAL_ARCHIVE_CHANNEL);

            final ConsensusModule.Context consensusContext = new ConsensusModule.Context()
                .aeronDirectoryName(driverDir)
                .clusterDir(clusterDir)
                .clusterMemberId(memberId)
                .clusterMembers(config.clusterMembers())
                .ingressChannel("aeron:udp?term-length=" + config.termLength())
                .logChannel("aeron:udp?term-length=" + config.termLength())
                .replicationChannel("aeron:udp?endpoint=" + self.host() + ":0")
                .archiveContext(archiveClient.clone())
                .idleStrategySupplier(idle)
                .leaderHeartbeatTimeoutNs(config.leaderHeartbeatTimeoutNs())
                .leaderHeartbeatIntervalNs(config.leaderHeartbeatIntervalNs())
                .electionTimeoutNs(config.electionTimeoutNs())
                .startupCanvassTimeoutNs(config.startupCanvassTimeoutNs())
                .sessionTimeoutNs(config.sessionTimeoutNs())
                .deleteDirOnStart(false)
                .errorHandler((ex) -> LOG.warn("Quorum voter {} consensus module error", memberId, ex));

            // What ClusteredMediaDriver does, on a driver that may be shared with the rest of the node.
            archive = Archive.launch(archiveContext);
            consensusModule = ConsensusModule.launch(consensusContext);

            container = ClusteredServiceContainer.launch(new ClusteredServiceContainer.Context()
                .aeronDirectoryName(driverDir)
                .clusterDir(clusterDir)
                .archiveContext(archiveClient.clone())
                .clusteredService(service)
                .idleStrategySupplier(idle)
                .errorHandler((ex) -> LOG.warn("Quorum voter {} service error", memberId, ex)));

            if (config.snapshotEveryLogEntries() > 0)
            {
                trigger = new AgentRunner(
                    new SleepingIdleStrategy(config.snapshotCheckIntervalNs()),
                    (ex) -> LOG.warn("Quorum voter {} snapshot trigger error", memberId, ex),
                    null,
                    new SnapshotTrigger(memberId, service, consensusModule, config.snapshotEveryLogEntries()));
                AgentRunner.startOnThread(trigger);
            }
            LOG.info("Quorum voter {} started in {} on the media driver in {}{} (voters {})", memberId, dir, driverDir,
                standalone ? " (its own)" : "", config.voters());
            return new QuorumVoter(
                memberId, dir, service, driverDir, driver, archive, consensusModule, container, trigger, lock);
        }
        catch (final RuntimeException | Error ex)
        {
            CloseHelper.quietCloseAll(trigger, container, consensusModule, archive, driver);
            release(lock);
            throw new IllegalStateException(
                "quorum voter " + memberId + " failed to start in " + dir + ": " + ex + "; check that ports " +
                self.basePort() + ".." + (self.basePort() + QuorumConfig.PORTS_PER_VOTER - 1) + " on " + self.host() +
                " are free and that no other voter uses " + dir, ex);
        }
    }

    private static FileLock lockDir(final int memberId, final Path dir)
    {
        FileChannel channel = null;
        try
        {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve("voter.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            final FileLock lock = channel.tryLock();
            if (lock == null)
            {
                throw new IllegalStateException("quorum voter " + memberId + ": another process runs a voter in " + dir);
            }
            return lock;
        }
        catch (final OverlappingFileLockException ex)
        {
            CloseHelper.quietClose(channel);
            throw new IllegalStateException("quorum voter " + memberId + ": a voter in this JVM already runs in " + dir, ex);
        }
        catch (final IOException ex)
        {
            CloseHelper.quietClose(channel);
            throw new IllegalStateException("quorum voter " + memberId + ": cannot lock " + dir.resolve("voter.lock") +
                " (" + ex + "); check " + QuorumConfig.PATH + "." + QuorumConfig.DIR_KEY, ex);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(channel);
            throw ex;
        }
    }

    /**
     * Only while holding the directory lock: the mark files then belong to a voter that is no longer running.
     */
    private static void removeStaleMarkFiles(final Path dir)
    {
        final List<Path> markFiles = List.of(
            dir.resolve("archive").resolve(ArchiveMarkFile.FILENAME),
            dir.resolve("cluster").resolve(ClusterMarkFile.FILENAME),
            dir.resolve("cluster").resolve(ClusterMarkFile.markFilenameForService(0)));
        for (final Path markFile : markFiles)
        {
            try
            {
                if (Files.deleteIfExists(markFile))
                {
                    LOG.info("Removed the mark file {} of a voter that stopped without closing", markFile);
                }
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("cannot remove the stale mark file " + markFile + ": " + ex, ex);
            }
        }
    }

    private static void release(final FileLock lock)
    {
        CloseHelper.quietClose(lock.channel());
    }

    /**
     * @return this voter's member id.
     */
    public int memberId()
    {
        return memberId;
    }

    /**
     * @return its current role in the cluster.
     */
    public Cluster.Role role()
    {
        return service.role();
    }

    /**
     * @return whether this voter leads the quorum now (its journal service was told it is the Raft leader): what a
     *     process that follows the leadership (e.g. the controller) reads.
     */
    public boolean leads()
    {
        return service.role() == Cluster.Role.LEADER;
    }

    /**
     * @return whether the journal state was loaded from an Aeron Cluster snapshot when this voter started.
     */
    public boolean startedFromSnapshot()
    {
        return service.startedFromSnapshot();
    }

    /**
     * @return how many Aeron Cluster snapshots this member has taken since it started.
     */
    public long snapshotCount()
    {
        return consensusModule.context().snapshotCounter().get();
    }

    /**
     * Asks the cluster for a snapshot now. Only the leader's request counts.
     *
     * @return true when the request was placed (the toggle was idle).
     */
    public boolean requestSnapshot()
    {
        return SnapshotTrigger.toggle(consensusModule);
    }

    /**
     * @return the directory of the media driver this voter runs on (its own in standalone mode), for a client of the
     *     same process.
     */
    public String aeronDirectoryName()
    {
        return aeronDir;
    }

    /**
     * @return whether this voter launched (and owns) its media driver.
     */
    public boolean ownsMediaDriver()
    {
        return ownDriver != null;
    }

    /**
     * Stops the service container, then the consensus module, archive and, when it is the voter's own, the media
     * driver; waits for their threads. Deletes only the own media driver's directory. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        CloseHelper.quietCloseAll(snapshotTrigger, container, consensusModule, archive, ownDriver);
        release(lock);
        LOG.info("Quorum voter {} stopped ({} kept)", memberId, dir);
    }

    /** Asks for a snapshot while this member leads and enough log has been applied since the last. */
    private static final class SnapshotTrigger implements Agent
    {
        private final int memberId;
        private final JournalService service;
        private final ConsensusModule consensusModule;
        private final long everyLogEntries;

        SnapshotTrigger(
            final int memberId, final JournalService service, final ConsensusModule consensusModule,
            final long everyLogEntries)
        {
            this.memberId = memberId;
            this.service = service;
            this.consensusModule = consensusModule;
            this.everyLogEntries = everyLogEntries;
        }

        @Override
        public int doWork()
        {
            if (service.role() == Cluster.Role.LEADER && service.logEntriesSinceSnapshot() >= everyLogEntries &&
                toggle(consensusModule))
            {
                LOG.info("Quorum voter {} asked for a snapshot after {} log entries", memberId,
                    service.logEntriesSinceSnapshot());
            }
            return 0;
        }

        static boolean toggle(final ConsensusModule consensusModule)
        {
            final AtomicCounter toggle = ClusterControl.findControlToggle(
                consensusModule.context().aeron().countersReader(), consensusModule.context().clusterId());
            return toggle != null && ClusterControl.ToggleState.SNAPSHOT.toggle(toggle);
        }

        @Override
        public String roleName()
        {
            return "millrace-quorum-snapshot-trigger-" + memberId;
        }
    }
}
