package dev.millrace.runtime.examples.nexmark;

import dev.millrace.runtime.api.Collector;
import dev.millrace.runtime.api.DataStream;
import dev.millrace.runtime.api.KeyedProcessFunction;
import dev.millrace.runtime.api.RuntimeContext;
import dev.millrace.runtime.state.ListState;
import dev.millrace.runtime.state.ListStateDescriptor;
import dev.millrace.runtime.state.ValueState;
import dev.millrace.runtime.state.ValueStateDescriptor;

/**
 * The winning bid of each closed auction, the input of Nexmark q4 and q6: the highest bid placed between the
 * auction's start and its expiry, at or above the reserve. Keyed by auction id; the auction is kept in state
 * with its best valid bid, and an event-time timer at the expiry emits the winner (with the expiry as
 * timestamp). Bids may come before their auction (the generator lets bids lead by a few auctions): those wait
 * in state. A closed auction leaves a small marker so that its later (invalid) bids are not kept forever; a
 * state TTL would drop the markers.
 */
public final class WinningBids
{
    /**
     * A closed auction's winning bid.
     *
     * @param auction  auction id
     * @param category its category
     * @param seller   its seller
     * @param price    the winning price
     * @param expires  the auction's end, epoch ms
     */
    public record WinningBid(long auction, long category, long seller, long price, long expires)
    {
    }

    private WinningBids()
    {
    }

    /**
     * @param events the Nexmark event stream
     * @return the winning bid of every auction that closed with a valid bid
     */
    public static DataStream<WinningBid> of(final DataStream<Event> events)
    {
        return events
            .filter(event -> event.auction() != null || event.bid() != null)
            .keyBy(event -> event.auction() != null ? event.auction().id() : event.bid().auction())
            .process(CloseAuction::new).name("winning bids");
    }

    /** Per auction: the auction, its best valid bid, bids that came first, and the closed marker. */
    static final class CloseAuction extends KeyedProcessFunction<Long, Event, WinningBid>
    {
        private ValueState<Auction> auction;
        private ValueState<Long> bestPrice;
        private ListState<Bid> early;
        private ValueState<Boolean> closed;

        @Override
        public void open(final RuntimeContext context)
        {
            auction = context.getState(new ValueStateDescriptor<>("auction", Auction.class));
            bestPrice = context.getState(new ValueStateDescriptor<>("best-price", Long.class));
            early = context.getListState(new ListStateDescriptor<>("early-bids", Bid.class));
            closed = context.getState(new ValueStateDescriptor<>("closed", Boolean.class));
        }

        @Override
        public void processElement(final Event event, final Context<Long> context, final Collector<WinningBid> out)
        {
            if (closed.value() != null)
            {
                return;
            }
            if (event.auction() != null)
            {
                final Auction opened = event.auction();
                auction.update(opened);
                context.timerService().registerEventTimeTimer(opened.expires());
                for (final Bid bid : early.get())
                {
                    consider(opened, bid);
                }
                early.clear();
            }
            else
            {
                final Auction current = auction.value();
                if (current == null)
                {
                    early.add(event.bid());
                }
                else
                {
                    consider(current, event.bid());
                }
            }
        }

        private void consider(final Auction current, final Bid bid)
        {
            if (bid.dateTime() >= current.dateTime() && bid.dateTime() <= current.expires()
                && bid.price() >= current.reserve())
            {
                final Long best = bestPrice.value();
                if (best == null || bid.price() > best)
                {
                    bestPrice.update(bid.price());
                }
            }
        }

        @Override
        public void onTimer(final long timestampMs, final OnTimerContext<Long> context, final Collector<WinningBid> out)
        {
            final Auction closing = auction.value();
            final Long best = bestPrice.value();
            if (closing != null && best != null)
            {
                out.collect(new WinningBid(closing.id(), closing.category(), closing.seller(), best, closing.expires()));
            }
            auction.clear();
            bestPrice.clear();
            early.clear();
            closed.update(Boolean.TRUE);
        }
    }
}
