package dev.millrace.runtime.state;

import com.typesafe.config.Config;

/**
 * Where a job keeps its keyed state; chosen per job with {@code JobBuilder.stateBackend(...)} from
 * {@link StateBackends}, heap by default. Creates one {@link KeyedStateBackend} per keyed operator instance.
 *
 * <p>Threading: immutable, shared by the job's instances.
 */
public interface StateBackend
{
    /**
     * @param parameters the operator instance
     * @return its keyed state, empty
     */
    KeyedStateBackend createKeyedStateBackend(StateBackendParameters parameters);

    /**
     * Fills in what the job did not set from the actor system's configuration ({@code millrace.runtime.state}).
     * Called when the job is submitted.
     *
     * @param config the actor system's configuration
     * @return the backend to use
     */
    default StateBackend withConfig(final Config config)
    {
        return this;
    }

    /** @return a short description for logs and job descriptions */
    String describe();
}
