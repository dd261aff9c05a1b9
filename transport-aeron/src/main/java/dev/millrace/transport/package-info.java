/**
 * The node's Aeron transport: one embedded media driver per JVM, its configuration, and the settings that make
 * Pekko Artery share it. (The bulk data channels with credit flow control come later, on top of
 * {@link dev.millrace.transport.EmbeddedMediaDriver#aeron()}.)
 *
 * <h2>Parts</h2>
 * <ul>
 *   <li>{@link dev.millrace.transport.AeronTransportConfig} — reads and validates {@code millrace.transport.aeron}
 *   at start-up; a bad value throws {@link dev.millrace.transport.TransportConfigException} whose message starts
 *   with the full key, e.g. {@code millrace.transport.aeron.profile: 'fast' is not one of [small-machine,
 *   low-latency]}. Unknown keys under the section are rejected as typos. Nothing is created before validation
 *   passes.</li>
 *   <li>{@link dev.millrace.transport.EmbeddedMediaDriver} — launches the {@code MediaDriver} and connects
 *   Millrace's {@code Aeron} client; {@code aeronDirectoryName()} for Artery, Archive and Cluster;
 *   {@code arteryConfig()} for Pekko; {@code close()} stops client, driver, and deletes the directory.</li>
 *   <li>{@link dev.millrace.transport.IdleStrategies} — Agrona idle strategies from their configuration names
 *   ({@code sleeping}, {@code backoff}, {@code yielding}, {@code busy-spin}, {@code noop}); one instance per
 *   thread.</li>
 *   <li>{@link dev.millrace.transport.TransportStartException} — a start that failed and has already cleaned
 *   up after itself.</li>
 * </ul>
 *
 * <h2>Use in a node</h2>
 * <pre>{@code
 * Config config = ConfigFactory.load();
 * EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(AeronTransportConfig.fromConfig(config));
 * try
 * {
 *     ActorSystem<Void> system = ActorSystem.create(guardian, "millrace", driver.arteryConfig().withFallback(config));
 *     ... // on termination of the system: driver.close()
 * }
 * catch (RuntimeException ex)
 * {
 *     driver.close(); // ActorSystem.create failed: without this the JVM would keep the driver
 *     throw ex;
 * }
 * }</pre>
 * Launch the driver before the {@code ActorSystem} and close it after the system has terminated (Artery's
 * publications live in the driver). Artery must not start its own driver: {@code arteryConfig()} sets
 * {@code pekko.remote.artery.advanced.aeron.embedded-media-driver = off} and points {@code aeron-dir} here.
 *
 * <h2>Profiles</h2>
 * <table>
 *   <caption>What {@code auto} resolves to</caption>
 *   <tr><th>setting</th><th>small-machine (default)</th><th>low-latency</th></tr>
 *   <tr><td>threading-mode</td><td>shared (one driver thread)</td><td>dedicated (sender, receiver,
 *   conductor)</td></tr>
 *   <tr><td>idle-strategy.conductor</td><td>sleeping (1 ms)</td><td>backoff</td></tr>
 *   <tr><td>idle-strategy.sender / receiver / shared / shared-network</td><td>backoff (parks up to
 *   1 ms)</td><td>busy-spin</td></tr>
 *   <tr><td>Artery idle-cpu-level</td><td>1</td><td>10</td></tr>
 * </table>
 * small-machine keeps an idle node at a few percent of a core, at the price of millisecond latencies over UDP
 * (measured in shared/STACK.md: Artery request/reply ~3.4–4.3 ms median on 2 shared cores). low-latency takes a
 * full core per busy-spinning thread, always: use it only with cores reserved for the driver. Tests never use
 * busy-spinning strategies.
 *
 * <h2>Configuration keys</h2>
 * All under {@code millrace.transport.aeron}, documented with their defaults in this module's
 * {@code reference.conf}: {@code aeron-dir} (auto), {@code profile} (small-machine), {@code threading-mode}
 * (auto), {@code idle-strategy.{conductor,sender,receiver,shared,shared-network}} (auto),
 * {@code idle-strategy.sleeping.park-period} (1ms), {@code idle-strategy.backoff.{max-spins, max-yields,
 * min-park-period, max-park-period}} (10, 5, 1us, 1ms), {@code term-buffer-length} (16m),
 * {@code ipc-term-buffer-length} (16m), {@code driver-timeout} (10s), {@code dir-delete-on-start} (off),
 * {@code dir-delete-on-shutdown} (on), {@code artery-idle-cpu-level} (auto).
 *
 * <h2>The directory</h2>
 * {@code aeron-dir = auto} generates {@code millrace-aeron-<pid>-<random>} under {@code /dev/shm} (else
 * {@code java.io.tmpdir}), so several nodes of one machine, or of one test JVM, never collide; it is always
 * deleted at shutdown, and generated directories of dead processes (no live pid, no live driver heartbeat) are
 * swept at the next start. An explicit directory is used as given; a live driver of another process in it makes
 * the start fail (unless {@code dir-delete-on-start = on}), a stale one is replaced.
 *
 * <h2>One driver per JVM, and failure</h2>
 * The launcher owns the driver; there is no shared reference-counted instance. A second launch in a directory
 * this JVM already serves fails with a {@link dev.millrace.transport.TransportStartException}; drivers in
 * different directories coexist (several nodes in one test JVM). A start is all-or-nothing: the
 * {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/jdk.internal.misc=ALL-UNNAMED}
 * flags are checked before Aeron is touched (without them Aeron fails with an {@code IllegalAccessError}
 * half-way); any later failure (directory not creatable, a live driver in it, a client that cannot connect, an
 * {@code Error}) closes client, driver and driver context, joins their threads, removes the directory if this
 * start created it, and throws a message that says what to do. Driver and client threads are daemon threads, so
 * a leaked one could never keep the JVM from exiting.
 *
 * <h2>Threading</h2>
 * Configuration objects are immutable. {@code EmbeddedMediaDriver.launch} and {@code close} may be called from
 * any thread; {@code close} is idempotent. The driver runs on its own agent threads with the configured idle
 * strategies (Agrona {@code AgentRunner}); the {@code Aeron} client is thread safe. This package does not import
 * Pekko: it only produces Typesafe {@code Config} for it.
 */
package dev.millrace.transport;
