package dev.millrace.runtime.examples.nexmark;

import dev.millrace.runtime.api.AggregateFunction;
import dev.millrace.runtime.api.Collector;
import dev.millrace.runtime.api.DataStream;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.api.KeyedProcessFunction;
import dev.millrace.runtime.api.RuntimeContext;
import dev.millrace.runtime.api.Source;
import dev.millrace.runtime.api.GeneratorSource;
import dev.millrace.runtime.state.ListState;
import dev.millrace.runtime.state.ListStateDescriptor;
import dev.millrace.runtime.state.ValueState;
import dev.millrace.runtime.state.ValueStateDescriptor;
import dev.millrace.runtime.time.WatermarkStrategy;
import dev.millrace.runtime.windows.ProcessWindowFunction;
import dev.millrace.runtime.windows.SlidingEventTimeWindows;
import dev.millrace.runtime.windows.TimeWindow;
import dev.millrace.runtime.windows.TumblingEventTimeWindows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Nexmark queries q0-q8 as Millrace jobs: examples of the DataStream API and the processor's
 * correctness suite (each is checked against a plain-Java computation in the tests). Every query takes the
 * timestamped event stream of {@link #events}; watermarks allow the generator's out-of-orderness, so no
 * event is ever late and the results are exact.
 */
public final class NexmarkQueries
{
    /** Window size of q5 (sliding), q7 and q8 (tumbling). */
    public static final Duration WINDOW = Duration.ofSeconds(10);
    /** Slide of q5. */
    public static final Duration SLIDE = Duration.ofSeconds(2);
    /** States of the people q3 suggests items to. */
    public static final Set<String> Q3_STATES = Set.of("OR", "ID", "CA");
    /** Category of the auctions q3 suggests. */
    public static final long Q3_CATEGORY = 10;

    /** q2's output. @param auction auction id @param price bid price */
    public record AuctionPrice(long auction, long price)
    {
    }

    /** q3's output. @param name seller @param city city @param state state @param auction auction id */
    public record LocalItemSuggestion(String name, String city, String state, long auction)
    {
    }

    /** q5's output. @param auction auction id @param count bids in the window @param windowEndMs window end */
    public record HotItem(long auction, long count, long windowEndMs)
    {
    }

    /** q4's output. @param category category @param averagePrice average winning price, cents, rounded down @param auctions closed auctions */
    public record CategoryAverage(long category, long averagePrice, long auctions)
    {
    }

    /** q6's output. @param seller seller @param averagePrice average of the seller's last (up to) 10 winning prices @param auction the auction that closed */
    public record SellerAverage(long seller, long averagePrice, long auction)
    {
    }

    /** q8's output. @param id person id @param name name @param windowStartMs the window they joined and sold in */
    public record NewUser(long id, String name, long windowStartMs)
    {
    }

    private NexmarkQueries()
    {
    }

    /**
     * @param job       the job
     * @param generator the events
     * @param count     number of events
     * @return the events, with event time and bounded out-of-orderness watermarks
     */
    public static DataStream<Event> events(final JobBuilder job, final NexmarkGenerator generator, final long count)
    {
        final Source<Event> source = new GeneratorSource<>(count, generator::event);
        return job.fromSource(source, "Nexmark Source")
            .assignTimestampsAndWatermarks(WatermarkStrategy.<Event>forBoundedOutOfOrderness(
                    Duration.ofMillis(generator.maxOutOfOrdernessMs()))
                .withTimestampAssigner((event, previous) -> event.dateTime()))
            .name("Nexmark Watermarks");
    }

    /** @param events the event stream @return its bids */
    public static DataStream<Bid> bids(final DataStream<Event> events)
    {
        return events.filter(event -> event.bid() != null).map(Event::bid);
    }

    /** q0, passthrough: every bid. @param events the event stream @return the bids */
    public static DataStream<Bid> q0(final DataStream<Event> events)
    {
        return bids(events).name("q0");
    }

    /** q1, currency conversion: bid prices from dollars to euros (x 0.908, in whole cents). @param events the event stream @return converted bids */
    public static DataStream<Bid> q1(final DataStream<Event> events)
    {
        return bids(events).map(bid -> new Bid(bid.auction(), bid.bidder(), dollarsToEuros(bid.price()), bid.channel(),
            bid.url(), bid.dateTime())).name("q1");
    }

    /** @param priceCents a dollar price @return the euro price, rounded down to a cent */
    public static long dollarsToEuros(final long priceCents)
    {
        return priceCents * 908 / 1000;
    }

    /** q2, selection: bids on every 123rd auction. @param events the event stream @return (auction, price) */
    public static DataStream<AuctionPrice> q2(final DataStream<Event> events)
    {
        return bids(events).filter(bid -> bid.auction() % 123 == 0)
            .map(bid -> new AuctionPrice(bid.auction(), bid.price())).name("q2");
    }

    /**
     * q3, local item suggestion: people in OR, ID or CA joined with their auctions of category 10, an
     * incremental join on the seller id in keyed state (either side may come first).
     *
     * @param events the event stream
     * @return one suggestion per (person, auction) pair
     */
    public static DataStream<LocalItemSuggestion> q3(final DataStream<Event> events)
    {
        return events
            .filter(event -> event.person() != null && Q3_STATES.contains(event.person().state())
                || event.auction() != null && event.auction().category() == Q3_CATEGORY)
            .keyBy(event -> event.person() != null ? event.person().id() : event.auction().seller())
            .process(SellerJoin::new).name("q3");
    }

    /** Keeps the seller and the auctions that arrived before the seller. */
    static final class SellerJoin extends KeyedProcessFunction<Long, Event, LocalItemSuggestion>
    {
        private ValueState<Person> seller;
        private ListState<Auction> waiting;

        @Override
        public void open(final RuntimeContext context)
        {
            seller = context.getState(new ValueStateDescriptor<>("seller", Person.class));
            waiting = context.getListState(new ListStateDescriptor<>("waiting", Auction.class));
        }

        @Override
        public void processElement(final Event event, final Context<Long> context,
            final Collector<LocalItemSuggestion> out)
        {
            if (event.person() != null)
            {
                final Person person = event.person();
                seller.update(person);
                for (final Auction auction : waiting.get())
                {
                    out.collect(suggest(person, auction));
                }
                waiting.clear();
            }
            else
            {
                final Person person = seller.value();
                if (person == null)
                {
                    waiting.add(event.auction());
                }
                else
                {
                    out.collect(suggest(person, event.auction()));
                }
            }
        }

        private static LocalItemSuggestion suggest(final Person person, final Auction auction)
        {
            return new LocalItemSuggestion(person.name(), person.city(), person.state(), auction.id());
        }
    }

    /**
     * q4, average closing price per category: the average of the winning bids of the closed auctions of each
     * category. Nexmark's result is an updating one; this job emits its final value, per category, when the
     * input ends (an event-time timer at the end of time), which makes the result independent of the order in
     * which auctions of a category close on different instances.
     *
     * @param events the event stream
     * @return one average per category
     */
    public static DataStream<CategoryAverage> q4(final DataStream<Event> events)
    {
        return WinningBids.of(events)
            .keyBy(WinningBids.WinningBid::category)
            .process(AverageAtEnd::new).name("q4");
    }

    /** Sums the winning prices of a category and emits the average when event time ends. */
    static final class AverageAtEnd extends KeyedProcessFunction<Long, WinningBids.WinningBid, CategoryAverage>
    {
        private ValueState<long[]> sumAndCount;

        @Override
        public void open(final RuntimeContext context)
        {
            sumAndCount = context.getState(new ValueStateDescriptor<>("sum-and-count", long[].class));
        }

        @Override
        public void processElement(final WinningBids.WinningBid bid, final Context<Long> context,
            final Collector<CategoryAverage> out)
        {
            final long[] current = sumAndCount.value();
            if (current == null)
            {
                context.timerService().registerEventTimeTimer(Long.MAX_VALUE);
                sumAndCount.update(new long[] {bid.price(), 1});
            }
            else
            {
                sumAndCount.update(new long[] {current[0] + bid.price(), current[1] + 1});
            }
        }

        @Override
        public void onTimer(final long timestampMs, final OnTimerContext<Long> context,
            final Collector<CategoryAverage> out)
        {
            final long[] total = sumAndCount.value();
            out.collect(new CategoryAverage(context.getCurrentKey(), total[0] / total[1], total[1]));
        }
    }

    /**
     * q6, average selling price by seller: for each auction a seller closes, the average of that seller's last
     * (up to) 10 winning prices. Winning bids of one seller come from several instances in any order, so they
     * wait in state until the watermark passes their expiry and are applied in (expiry, auction id) order:
     * the result is deterministic.
     *
     * @param events the event stream
     * @return one average per closed auction
     */
    public static DataStream<SellerAverage> q6(final DataStream<Event> events)
    {
        return WinningBids.of(events)
            .keyBy(WinningBids.WinningBid::seller)
            .process(LastTenAverage::new).name("q6");
    }

    /** Orders a seller's winning bids by event time and averages the last ten. */
    static final class LastTenAverage extends KeyedProcessFunction<Long, WinningBids.WinningBid, SellerAverage>
    {
        /** How many of a seller's latest winning prices are averaged. */
        static final int LAST = 10;
        private ListState<WinningBids.WinningBid> pending;
        private ListState<Long> lastPrices;

        @Override
        public void open(final RuntimeContext context)
        {
            pending = context.getListState(new ListStateDescriptor<>("pending", WinningBids.WinningBid.class));
            lastPrices = context.getListState(new ListStateDescriptor<>("last-prices", Long.class));
        }

        @Override
        public void processElement(final WinningBids.WinningBid bid, final Context<Long> context,
            final Collector<SellerAverage> out)
        {
            pending.add(bid);
            context.timerService().registerEventTimeTimer(bid.expires());
        }

        @Override
        public void onTimer(final long timestampMs, final OnTimerContext<Long> context,
            final Collector<SellerAverage> out)
        {
            final List<WinningBids.WinningBid> due = new ArrayList<>();
            final List<WinningBids.WinningBid> later = new ArrayList<>();
            for (final WinningBids.WinningBid bid : pending.get())
            {
                (bid.expires() <= timestampMs ? due : later).add(bid);
            }
            due.sort(java.util.Comparator.comparingLong(WinningBids.WinningBid::expires)
                .thenComparingLong(WinningBids.WinningBid::auction));
            final List<Long> prices = new ArrayList<>(lastPrices.get());
            for (final WinningBids.WinningBid bid : due)
            {
                prices.add(bid.price());
                if (prices.size() > LAST)
                {
                    prices.remove(0);
                }
                long sum = 0;
                for (final long price : prices)
                {
                    sum += price;
                }
                out.collect(new SellerAverage(bid.seller(), sum / prices.size(), bid.auction()));
            }
            lastPrices.update(prices);
            pending.update(later);
        }
    }

    /**
     * q5, hot items: per sliding window (10 s every 2 s), the auctions with the most bids (all of them on a tie).
     * Two steps: count per auction and window, then the maximum per window, emitted by an event-time timer at
     * the window's end once every counting instance has passed it.
     *
     * @param events the event stream
     * @return the hot items of each window
     */
    public static DataStream<HotItem> q5(final DataStream<Event> events)
    {
        return bids(events)
            .keyBy(Bid::auction)
            .window(SlidingEventTimeWindows.of(WINDOW, SLIDE))
            .aggregate(new CountBids(), () -> new ProcessWindowFunction<Long, HotItem, Long, TimeWindow>()
            {
                @Override
                public void process(final Long auction, final Context context, final Iterable<Long> counts,
                    final Collector<HotItem> out)
                {
                    out.collect(new HotItem(auction, counts.iterator().next(), context.window().endMs()));
                }
            }).name("q5 counts")
            .keyBy(HotItem::windowEndMs)
            .process(MaxPerWindow::new).name("q5 max");
    }

    /** Counts bids. */
    static final class CountBids implements AggregateFunction<Bid, Long, Long>
    {
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

    /**
     * Keeps the window's leaders and emits them when the watermark passes the window. The leading count is a
     * value of its own, so a record only appends to the leaders (never reads them): cheap on RocksDB too.
     */
    static final class MaxPerWindow extends KeyedProcessFunction<Long, HotItem, HotItem>
    {
        private ValueState<Long> maxCount;
        private ListState<HotItem> leaders;

        @Override
        public void open(final RuntimeContext context)
        {
            maxCount = context.getState(new ValueStateDescriptor<>("max-count", Long.class));
            leaders = context.getListState(new ListStateDescriptor<>("leaders", HotItem.class));
        }

        @Override
        public void processElement(final HotItem item, final Context<Long> context, final Collector<HotItem> out)
        {
            final Long max = maxCount.value();
            if (max == null)
            {
                context.timerService().registerEventTimeTimer(item.windowEndMs() - 1);
                maxCount.update(item.count());
                leaders.add(item);
            }
            else if (item.count() > max)
            {
                maxCount.update(item.count());
                leaders.update(List.of(item));
            }
            else if (item.count() == max)
            {
                leaders.add(item);
            }
        }

        @Override
        public void onTimer(final long timestampMs, final OnTimerContext<Long> context, final Collector<HotItem> out)
        {
            for (final HotItem item : leaders.get())
            {
                out.collect(item);
            }
            leaders.clear();
            maxCount.clear();
        }
    }

    /**
     * q7, highest bid: per tumbling 10 s window, the bids with the highest price (all of them on a tie). Keyed
     * by the window, so windows spread over the instances.
     *
     * @param events the event stream
     * @return the highest bids
     */
    public static DataStream<Bid> q7(final DataStream<Event> events)
    {
        final long sizeMs = WINDOW.toMillis();
        return bids(events)
            .keyBy(bid -> TimeWindow.windowStart(bid.dateTime(), 0, sizeMs))
            .window(TumblingEventTimeWindows.of(WINDOW))
            .aggregate(new HighestBids()).name("q7 max")
            .flatMap((List<Bid> highest, Collector<Bid> out) ->
            {
                for (final Bid bid : highest)
                {
                    out.collect(bid);
                }
            }).name("q7");
    }

    /** Keeps the bids with the highest price so far. */
    static final class HighestBids implements AggregateFunction<Bid, ArrayList<Bid>, List<Bid>>
    {
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

    /**
     * q8, monitor new users: people who joined and opened an auction in the same tumbling 10 s window; one
     * result per (person, auction) pair, like the windowed join of the original query.
     *
     * @param events the event stream
     * @return the new users with their window
     */
    public static DataStream<NewUser> q8(final DataStream<Event> events)
    {
        return events
            .filter(event -> event.person() != null || event.auction() != null)
            .keyBy(event -> event.person() != null ? event.person().id() : event.auction().seller())
            .window(TumblingEventTimeWindows.of(WINDOW))
            .process(() -> new ProcessWindowFunction<Event, NewUser, Long, TimeWindow>()
            {
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
                            out.collect(new NewUser(person.id(), person.name(), context.window().startMs()));
                        }
                    }
                }
            }).name("q8");
    }
}
