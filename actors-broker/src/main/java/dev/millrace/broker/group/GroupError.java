package dev.millrace.broker.group;

/**
 * Errors a group coordinator answers with, named and numbered as Kafka's {@code Errors} so that the Kafka
 * wire-protocol listener maps them one to one. Each reply carries one of these and a message that says what
 * the caller should do; {@link #NONE} means success.
 *
 * <p>A rejected command persists nothing.
 */
public enum GroupError
{
    NONE(0, "success"),
    OFFSET_OUT_OF_RANGE(1, "use an offset >= 0"),
    ILLEGAL_GENERATION(22, "the group rebalanced since this generation: rejoin the group to get the current generation"),
    INCONSISTENT_GROUP_PROTOCOL(23,
        "use the group's protocol type and at least one protocol that every current member supports"),
    INVALID_GROUP_ID(24, "use a non-blank group id"),
    UNKNOWN_MEMBER_ID(25, "the coordinator does not know this member: rejoin with an empty member id"),
    INVALID_SESSION_TIMEOUT(26, "use a session timeout within the broker's group.min/max.session.timeout.ms"),
    REBALANCE_IN_PROGRESS(27, "the group is rebalancing: rejoin the group, then retry"),
    NON_EMPTY_GROUP(68, "the group still has members: stop its consumers (or wait for their sessions to expire) first"),
    GROUP_ID_NOT_FOUND(69, "the group does not exist: check the group id"),
    FENCED_INSTANCE_ID(82,
        "another member joined with this group.instance.id: stop this duplicate instance or give it its own id"),
    /** Answered by the node's facade, never by a coordinator: the coordinator did not answer in time. Kafka's 15. */
    COORDINATOR_NOT_AVAILABLE(15, "the group coordinator did not answer in time (it may be recovering): retry"),
    /** Answered by the node's facade: a partition named in an offset reset does not exist. Kafka's 3. */
    UNKNOWN_TOPIC_OR_PARTITION(3, "name partitions of existing topics (list them with ListTopics/DescribeTopic)"),
    /** Answered by the node's facade: the request itself is malformed. Kafka's 42. */
    INVALID_REQUEST(42, "fix the request as the message says");

    private final int code;
    private final String advice;

    GroupError(final int code, final String advice)
    {
        this.code = code;
        this.advice = advice;
    }

    /**
     * @return Kafka's numeric error code
     */
    public int code()
    {
        return code;
    }

    /**
     * @return what a caller should do about this error, in one sentence
     */
    public String advice()
    {
        return advice;
    }

    /**
     * @param detail what went wrong for this request
     * @return the detail followed by the advice, the text of a reply's message
     */
    public String message(final String detail)
    {
        return this == NONE ? "" : detail + ": " + advice;
    }
}
