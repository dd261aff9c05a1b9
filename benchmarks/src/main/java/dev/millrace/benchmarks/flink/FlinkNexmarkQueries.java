package dev.millrace.benchmarks.flink;

import java.util.ArrayList;
import java.util.List;

import dev.millrace.runtime.examples.nexmark.Bid;
import dev.millrace.runtime.examples.nexmark.Event;
import dev.millrace.runtime.examples.nexmark.NexmarkQueries;
import dev.millrace.runtime.examples.nexmark.NexmarkQueries.AuctionPrice;
import dev.millrace.runtime.examples.nexmark.NexmarkQueries.HotItem;
import dev.millrace.runtime.examples.nexmark.NexmarkQueries.NewUser;
import dev.millrace.runtime.examples.nexmark.Person;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * The Nexmark queries of {@code bench nexmark} written with Flink's DataStream API, each the same computation as its
 * Millrace twin in {@link NexmarkQueries} (same filters, keys, windows, tie rules and output records), so that both
 * systems produce the same number of results from the same events. Only compiled into the Flink job's thin jar; never
 * on a Millrace class path.
 */
final class FlinkNexmarkQueries
{
    private static final TypeInformation<Bid> BID = TypeInformation.of(Bid.class);

    private FlinkNexmarkQueries()
    {
    }

    /** @return the query's output stream, or an exception naming the query if it is not one of the benchmark's */
    static DataStream<?> query(final String name, final DataStream<Event> events)
    {
        return switch (name)
        {
            case "q0" -> bids(events);
            case "q1" -> bids(events).map(bid -> new Bid(bid.auction(), bid.bidder(),
                NexmarkQueries.dollarsToEuros(bid.price()), bid.channel(), bid.url(), bid.dateTime())).returns(BID);
            case "q2" -> bids(events).filter(bid -> bid.auction() % 123 == 0)
                .map(bid -> new AuctionPrice(bid.auction(), bid.price())).returns(AuctionPrice.class);
            case "q5" -> q5(events);
            case "q7" -> q7(events);
            case "q8" -> q8(events);
            default -> throw new IllegalArgumentException("unknown query " + name + " (q0, q1, q2, q5, q7, q8)");
        };
    }

    private static DataStream<Bid> bids(final DataStream<Event> events)
    {
        return events.filter(event -> event.bid() != null).map(Event::bid).returns(BID);
    }

    /** Bids per auction and sliding window, then the leaders per window, emitted by a timer at the window's end. */
    private static DataStream<HotItem> q5(final DataStream<Event> events)
    {
        return bids(events)
            .keyBy(Bid::auction, Types.LONG)
            .window(SlidingEventTimeWindows.of(NexmarkQueries.WINDOW, NexmarkQueries.SLIDE))
            .aggregate(new CountBids(), new ToHotItem(), Types.LONG, Types.LONG, TypeInformation.of(HotItem.class))
            .keyBy(HotItem::windowEndMs, Types.LONG)
            .process(new MaxPerWindow()).returns(HotItem.class);
    }

    /** The highest bids per tumbling window, keyed by the window so that windows spread over the instances. */
    private static DataStream<Bid> q7(final DataStream<Event> events)
    {
        final long sizeMs = NexmarkQueries.WINDOW.toMillis();
        return bids(events)
            .keyBy(bid -> TimeWindow.getWindowStartWithOffset(bid.dateTime(), 0, sizeMs), Types.LONG)
            .window(TumblingEventTimeWindows.of(NexmarkQueries.WINDOW))
            .aggregate(new HighestBids(), TypeInformation.of(new TypeHint<ArrayList<Bid>>() { }),
                TypeInformation.of(new TypeHint<List<Bid>>() { }))
            .flatMap((List<Bid> highest, Collector<Bid> out) ->
            {
                for (final Bid bid : highest)
                {
                    out.collect(bid);
                }
            }).returns(BID);
    }

    /** People who joined and opened an auction in the same tumbling window, one result per (person, auction). */
    private static DataStream<NewUser> q8(final DataStream<Event> events)
    {
        return events
            .filter(event -> event.person() != null || event.auction() != null)
            .keyBy(event -> event.person() != null ? event.person().id() : event.auction().seller(), Types.LONG)
            .window(TumblingEventTimeWindows.of(NexmarkQueries.WINDOW))
            .process(new NewUsers(), TypeInformation.of(NewUser.class));
    }

    /** Counts bids. */
    static final class CountBids implements AggregateFunction<Bid, Long, Long>
    {
        private static final long serialVersionUID = 1L;

        @Override
        public Long createAccumulator()
        {
            return 0L;
        }

        @Override
        public Long add(final Bid value, final Long accumulator)
        {
            return accumulator + 1;
        }

        @Override
        public Long getResult(final Long accumulator)
        {
            return accumulator;
        }

        @Override
        public Long merge(final Long a, final Long b)
        {
            return a + b;
        }
    }

    /** An auction's count in a window, with the window's end (exclusive), as Millrace's q5 reports it. */
    static final class ToHotItem extends ProcessWindowFunction<Long, HotItem, Long, TimeWindow>
    {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(final Long auction, final Context context, final Iterable<Long> counts,
            final Collector<HotItem> out)
        {
            out.collect(new HotItem(auction, counts.iterator().next(), context.window().getEnd()));
        }
    }

    /** Keeps the window's leaders and emits them when the watermark passes the window. */
    static final class MaxPerWindow extends KeyedProcessFunction<Long, HotItem, HotItem>
    {
        private static final long serialVersionUID = 1L;
        private transient ListState<HotItem> leaders;

        @Override
        public void open(final OpenContext openContext)
        {
            leaders = getRuntimeContext().getListState(new ListStateDescriptor<>("leaders", HotItem.class));
        }

        @Override
        public void processElement(final HotItem item, final Context context, final Collector<HotItem> out)
            throws Exception
        {
            final List<HotItem> current = new ArrayList<>();
            for (final HotItem leader : leaders.get())
            {
                current.add(leader);
            }
            if (current.isEmpty())
            {
                context.timerService().registerEventTimeTimer(item.windowEndMs() - 1);
                leaders.add(item);
            }
            else if (item.count() > current.get(0).count())
            {
                leaders.update(List.of(item));
            }
            else if (item.count() == current.get(0).count())
            {
                leaders.add(item);
            }
        }

        @Override
        public void onTimer(final long timestampMs, final OnTimerContext context, final Collector<HotItem> out)
            throws Exception
        {
            for (final HotItem item : leaders.get())
            {
                out.collect(item);
            }
            leaders.clear();
        }
    }

    /** Keeps the bids with the highest price so far (all of them on a tie). */
    static final class HighestBids implements AggregateFunction<Bid, ArrayList<Bid>, List<Bid>>
    {
        private static final long serialVersionUID = 1L;

        @Override
        public ArrayList<Bid> createAccumulator()
        {
            return new ArrayList<>();
        }

        @Override
        public ArrayList<Bid> add(final Bid bid, final ArrayList<Bid> highest)
        {
            if (highest.isEmpty() || bid.price() == highest.get(0).price())
            {
                highest.add(bid);
            }
            else if (bid.price() > highest.get(0).price())
            {
                highest.clear();
                highest.add(bid);
            }
            return highest;
        }

        @Override
        public List<Bid> getResult(final ArrayList<Bid> highest)
        {
            return highest;
        }

        @Override
        public ArrayList<Bid> merge(final ArrayList<Bid> a, final ArrayList<Bid> b)
        {
            for (final Bid bid : b)
            {
                add(bid, a);
            }
            return a;
        }
    }

    /** The persons of a window times its auctions, as Millrace's q8 does. */
    static final class NewUsers extends ProcessWindowFunction<Event, NewUser, Long, TimeWindow>
    {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(final Long id, final Context context, final Iterable<Event> window,
            final Collector<NewUser> out)
        {
            final List<Person> persons = new ArrayList<>();
            int auctions = 0;
            for (final Event event : window)
            {
                if (event.person() != null)
                {
                    persons.add(event.person());
                }
                else
                {
                    auctions++;
                }
            }
            for (final Person person : persons)
            {
                for (int i = 0; i < auctions; i++)
                {
                    out.collect(new NewUser(person.id(), person.name(), context.window().getStart()));
                }
            }
        }
    }
}
