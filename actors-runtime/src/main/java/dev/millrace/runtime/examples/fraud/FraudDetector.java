package dev.millrace.runtime.examples.fraud;

import dev.millrace.runtime.api.KeyedBehaviorContext;
import dev.millrace.runtime.api.TimeDomain;
import dev.millrace.runtime.state.ValueState;
import dev.millrace.runtime.state.ValueStateDescriptor;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One card's fraud detector, a state machine written as a Pekko typed behavior: {@code watching} until a small
 * payment (below {@link #SMALL_BELOW_CENTS}), then {@code armed} for {@link #WINDOW_MS} of event time, when a
 * large payment (above {@link #LARGE_ABOVE_CENTS}) raises an {@link Alert}. An event-time timer disarms it
 * when the window passes; a later small payment re-arms it.
 *
 * <p>The phase is the behavior returned, and also the keyed state {@code small-at} (the armed payment's time,
 * absent when watching): the behavior object is only a cache the engine may drop (eviction, restore,
 * rescale), so {@link #create} starts in the phase the state says. Fields hold only the context and state
 * handles, never data.
 */
public final class FraudDetector
{
    /** A payment below this is small. */
    public static final long SMALL_BELOW_CENTS = 100;
    /** A payment above this is large. */
    public static final long LARGE_ABOVE_CENTS = 50_000;
    /** How long after a small payment a large one raises an alert (inclusive). */
    public static final long WINDOW_MS = 60_000;

    /** What a card's detector receives. */
    public sealed interface Command permits TransactionSeen, WindowPassed
    {
    }

    /**
     * A payment on the card.
     *
     * @param cardId      the card (the key)
     * @param transaction the payment
     * @param timestampMs its event time
     */
    public record TransactionSeen(String cardId, Transaction transaction, long timestampMs) implements Command
    {
    }

    /**
     * The armed window's timer fired.
     *
     * @param cardId      the card
     * @param timestampMs the timer's time
     * @param domain      event time
     */
    public record WindowPassed(String cardId, long timestampMs, TimeDomain domain) implements Command
    {
    }

    private final KeyedBehaviorContext<String, Alert> context;
    private final ValueState<Long> smallAt;

    private FraudDetector(final KeyedBehaviorContext<String, Alert> context)
    {
        this.context = context;
        this.smallAt = context.getState(new ValueStateDescriptor<>("small-at", Long.class));
    }

    /**
     * @param context the card's stream context
     * @return the card's detector, in the phase its state says
     */
    public static Behavior<Command> create(final KeyedBehaviorContext<String, Alert> context)
    {
        final FraudDetector detector = new FraudDetector(context);
        final Long armedAt = detector.smallAt.value();
        return armedAt == null ? detector.watching() : detector.armed(armedAt);
    }

    private Behavior<Command> watching()
    {
        return Behaviors.receive(Command.class)
            .onMessage(TransactionSeen.class, this::onTransactionWhileWatching)
            .build();
    }

    private Behavior<Command> armed(final long armedAt)
    {
        return Behaviors.receive(Command.class)
            .onMessage(TransactionSeen.class, seen -> onTransactionWhileArmed(armedAt, seen))
            .onMessage(WindowPassed.class, passed -> disarm(armedAt))
            .build();
    }

    private Behavior<Command> onTransactionWhileWatching(final TransactionSeen seen)
    {
        if (seen.transaction().amountCents() < SMALL_BELOW_CENTS)
        {
            return arm(seen.timestampMs());
        }
        return Behaviors.same();
    }

    private Behavior<Command> onTransactionWhileArmed(final long armedAt, final TransactionSeen seen)
    {
        if (seen.timestampMs() > armedAt + WINDOW_MS)
        {
            // the window passed before the watermark did: disarm now, then judge the payment as new
            disarm(armedAt);
            return onTransactionWhileWatching(seen);
        }
        if (seen.transaction().amountCents() < SMALL_BELOW_CENTS)
        {
            context.timerService().deleteEventTimeTimer(armedAt + WINDOW_MS);
            return arm(seen.timestampMs());
        }
        if (seen.transaction().amountCents() > LARGE_ABOVE_CENTS)
        {
            context.emit(new Alert(seen.cardId(), armedAt, seen.timestampMs(), seen.transaction().amountCents()));
            return disarm(armedAt);
        }
        return Behaviors.same();
    }

    private Behavior<Command> arm(final long at)
    {
        smallAt.update(at);
        context.timerService().registerEventTimeTimer(at + WINDOW_MS);
        return armed(at);
    }

    private Behavior<Command> disarm(final long armedAt)
    {
        context.timerService().deleteEventTimeTimer(armedAt + WINDOW_MS);
        smallAt.clear();
        return watching();
    }
}
