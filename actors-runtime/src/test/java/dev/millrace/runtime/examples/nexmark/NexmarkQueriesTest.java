package dev.millrace.runtime.examples.nexmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.millrace.runtime.api.CollectingSink;
import dev.millrace.runtime.api.DataStream;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.examples.nexmark.NexmarkQueries.AuctionPrice;
import dev.millrace.runtime.examples.nexmark.NexmarkQueries.CategoryAverage;
import dev.millrace.runtime.examples.nexmark.NexmarkQueries.SellerAverage;
import dev.millrace.runtime.examples.nexmark.NexmarkQueries.HotItem;
import dev.millrace.runtime.examples.nexmark.NexmarkQueries.LocalItemSuggestion;
import dev.millrace.runtime.examples.nexmark.NexmarkQueries.NewUser;
import dev.millrace.runtime.execution.JobResult;
import dev.millrace.runtime.execution.JobState;
import dev.millrace.runtime.execution.LocalJobRunner;
import dev.millrace.runtime.state.StateBackend;
import dev.millrace.runtime.state.StateBackends;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each Nexmark query, run as a Millrace job at parallelism 2, gives exactly the multiset of results that a
 * straightforward computation over the same generated events gives (plain collections, no Millrace API). The
 * stateful queries run on both state backends, heap and RocksDB.
 */
@Timeout(120)
class NexmarkQueriesTest
{
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();
    private static final NexmarkGenerator GENERATOR = NexmarkGenerator.defaults();
    private static final int EVENTS = 60_000;
    private static final long WINDOW_MS = NexmarkQueries.WINDOW.toMillis();
    private static final long SLIDE_MS = NexmarkQueries.SLIDE.toMillis();
    private static final List<Event> ALL = new ArrayList<>();

    @BeforeAll
    static void generate()
    {
        for (long n = 0; n < EVENTS; n++)
        {
            ALL.add(GENERATOR.event(n));
        }
    }

    @AfterAll
    static void shutdown()
    {
        TEST_KIT.shutdownTestKit();
    }

    /** The state backends the stateful queries run on. */
    enum Backend
    {
        HEAP(StateBackends.heap()),
        ROCKSDB(StateBackends.rocksDb());

        final StateBackend backend;

        Backend(final StateBackend backend)
        {
            this.backend = backend;
        }
    }

    private static <T> Map<T, Integer> run(final Function<DataStream<Event>, DataStream<T>> query) throws Exception
    {
        return run(query, Backend.HEAP);
    }

    private static <T> Map<T, Integer> run(final Function<DataStream<Event>, DataStream<T>> query,
        final Backend backend) throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2).stateBackend(backend.backend);
        final CollectingSink<T> sink = new CollectingSink<>();
        query.apply(NexmarkQueries.events(job, GENERATOR, EVENTS)).sinkTo(sink);
        final JobResult result = LocalJobRunner.submit(TEST_KIT.system(), job.build("nexmark"))
            .await(Duration.ofSeconds(90));
        assertEquals(JobState.FINISHED, result.state(), String.valueOf(result.failure()));
        return multiset(sink.results());
    }

    private static <T> Map<T, Integer> multiset(final List<T> values)
    {
        final Map<T, Integer> counts = new HashMap<>();
        for (final T value : values)
        {
            counts.merge(value, 1, Integer::sum);
        }
        return counts;
    }

    private static List<Bid> allBids()
    {
        final List<Bid> bids = new ArrayList<>();
        for (final Event event : ALL)
        {
            if (event.bid() != null)
            {
                bids.add(event.bid());
            }
        }
        return bids;
    }

    @Test
    void shouldGenerateTheNexmarkProportionsOutOfOrderWithinTheBound()
    {
        int persons = 0;
        int auctions = 0;
        long maxTimestamp = ALL.get(0).dateTime();
        long maxLateness = 0;
        for (final Event event : ALL)
        {
            persons += event.person() != null ? 1 : 0;
            auctions += event.auction() != null ? 1 : 0;
            maxLateness = Math.max(maxLateness, maxTimestamp - event.dateTime());
            maxTimestamp = Math.max(maxTimestamp, event.dateTime());
        }
        assertEquals(EVENTS / 50, persons);
        assertEquals(EVENTS / 50 * 3, auctions);
        assertTrue(maxLateness > 0, "events must arrive out of order");
        assertTrue(maxLateness <= GENERATOR.maxOutOfOrdernessMs(), "disorder " + maxLateness);
        assertEquals(GENERATOR.event(12_345), NexmarkGenerator.defaults().event(12_345), "a pure function");
    }

    @Test
    void q0ShouldPassEveryBidThrough() throws Exception
    {
        assertEquals(multiset(allBids()), run(NexmarkQueries::q0));
    }

    @Test
    void q1ShouldConvertEveryPrice() throws Exception
    {
        final List<Bid> expected = new ArrayList<>();
        for (final Bid bid : allBids())
        {
            expected.add(new Bid(bid.auction(), bid.bidder(), bid.price() * 908 / 1000, bid.channel(), bid.url(),
                bid.dateTime()));
        }
        assertEquals(multiset(expected), run(NexmarkQueries::q1));
    }

    @Test
    void q2ShouldSelectBidsOnEvery123rdAuction() throws Exception
    {
        final List<AuctionPrice> expected = new ArrayList<>();
        for (final Bid bid : allBids())
        {
            if (bid.auction() % 123 == 0)
            {
                expected.add(new AuctionPrice(bid.auction(), bid.price()));
            }
        }
        assertTrue(expected.size() > 10, "the selection must not be empty: " + expected.size());
        assertEquals(multiset(expected), run(NexmarkQueries::q2));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void q3ShouldJoinLocalSellersWithTheirAuctions(final Backend backend) throws Exception
    {
        final Map<Long, Person> sellers = new HashMap<>();
        for (final Event event : ALL)
        {
            if (event.person() != null && List.of("OR", "ID", "CA").contains(event.person().state()))
            {
                sellers.put(event.person().id(), event.person());
            }
        }
        final List<LocalItemSuggestion> expected = new ArrayList<>();
        for (final Event event : ALL)
        {
            final Auction auction = event.auction();
            if (auction != null && auction.category() == 10 && sellers.containsKey(auction.seller()))
            {
                final Person person = sellers.get(auction.seller());
                expected.add(new LocalItemSuggestion(person.name(), person.city(), person.state(), auction.id()));
            }
        }
        assertTrue(expected.size() > 10, "the join must not be empty: " + expected.size());
        assertEquals(multiset(expected), run(NexmarkQueries::q3, backend));
    }

    /** The winning bid of every auction, computed directly: the highest valid bid at or above the reserve. */
    private static List<WinningBids.WinningBid> expectedWinningBids()
    {
        final Map<Long, Auction> auctions = new HashMap<>();
        for (final Event event : ALL)
        {
            if (event.auction() != null)
            {
                auctions.put(event.auction().id(), event.auction());
            }
        }
        final Map<Long, Long> best = new HashMap<>();
        for (final Bid bid : allBids())
        {
            final Auction auction = auctions.get(bid.auction());
            if (auction != null && bid.dateTime() >= auction.dateTime() && bid.dateTime() <= auction.expires()
                && bid.price() >= auction.reserve())
            {
                best.merge(auction.id(), bid.price(), Math::max);
            }
        }
        final List<WinningBids.WinningBid> winners = new ArrayList<>();
        best.forEach((id, price) ->
        {
            final Auction auction = auctions.get(id);
            winners.add(new WinningBids.WinningBid(id, auction.category(), auction.seller(), price, auction.expires()));
        });
        return winners;
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void winningBidsShouldCloseEveryAuctionWithItsHighestValidBid(final Backend backend) throws Exception
    {
        final List<WinningBids.WinningBid> expected = expectedWinningBids();
        assertTrue(expected.size() > 100, "auctions must close with winners: " + expected.size());
        assertEquals(multiset(expected), run(WinningBids::of, backend));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void q4ShouldAverageTheClosingPricesPerCategory(final Backend backend) throws Exception
    {
        final Map<Long, long[]> totals = new HashMap<>();
        for (final WinningBids.WinningBid winner : expectedWinningBids())
        {
            final long[] total = totals.computeIfAbsent(winner.category(), category -> new long[2]);
            total[0] += winner.price();
            total[1]++;
        }
        final List<CategoryAverage> expected = new ArrayList<>();
        totals.forEach((category, total) -> expected.add(new CategoryAverage(category, total[0] / total[1], total[1])));
        assertEquals(5, expected.size());
        assertEquals(multiset(expected), run(NexmarkQueries::q4, backend));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void q6ShouldAverageTheLastTenClosingPricesPerSeller(final Backend backend) throws Exception
    {
        final Map<Long, List<WinningBids.WinningBid>> bySeller = new HashMap<>();
        for (final WinningBids.WinningBid winner : expectedWinningBids())
        {
            bySeller.computeIfAbsent(winner.seller(), seller -> new ArrayList<>()).add(winner);
        }
        final List<SellerAverage> expected = new ArrayList<>();
        bySeller.forEach((seller, winners) ->
        {
            winners.sort((a, b) -> a.expires() != b.expires() ? Long.compare(a.expires(), b.expires())
                : Long.compare(a.auction(), b.auction()));
            for (int i = 0; i < winners.size(); i++)
            {
                long sum = 0;
                final int from = Math.max(0, i - 9);
                for (int j = from; j <= i; j++)
                {
                    sum += winners.get(j).price();
                }
                expected.add(new SellerAverage(seller, sum / (i - from + 1), winners.get(i).auction()));
            }
        });
        assertEquals(multiset(expected), run(NexmarkQueries::q6, backend));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void q5ShouldFindTheHotItemsOfEverySlidingWindow(final Backend backend) throws Exception
    {
        final Map<Long, Map<Long, Long>> countsByWindowEnd = new HashMap<>();
        for (final Bid bid : allBids())
        {
            final long lastStart = bid.dateTime() - Math.floorMod(bid.dateTime(), SLIDE_MS);
            for (long start = lastStart; start > bid.dateTime() - WINDOW_MS; start -= SLIDE_MS)
            {
                countsByWindowEnd.computeIfAbsent(start + WINDOW_MS, end -> new HashMap<>())
                    .merge(bid.auction(), 1L, Long::sum);
            }
        }
        final List<HotItem> expected = new ArrayList<>();
        countsByWindowEnd.forEach((end, counts) ->
        {
            final long max = counts.values().stream().mapToLong(Long::longValue).max().orElseThrow();
            counts.forEach((auction, count) ->
            {
                if (count == max)
                {
                    expected.add(new HotItem(auction, count, end));
                }
            });
        });
        assertEquals(multiset(expected), run(NexmarkQueries::q5, backend));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void q7ShouldFindTheHighestBidsOfEveryTumblingWindow(final Backend backend) throws Exception
    {
        final Map<Long, Long> maxByWindow = new HashMap<>();
        for (final Bid bid : allBids())
        {
            maxByWindow.merge(bid.dateTime() - Math.floorMod(bid.dateTime(), WINDOW_MS), bid.price(), Math::max);
        }
        final List<Bid> expected = new ArrayList<>();
        for (final Bid bid : allBids())
        {
            if (bid.price() == maxByWindow.get(bid.dateTime() - Math.floorMod(bid.dateTime(), WINDOW_MS)))
            {
                expected.add(bid);
            }
        }
        assertEquals(multiset(expected), run(NexmarkQueries::q7, backend));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void q8ShouldFindPeopleWhoSoldInTheWindowTheyJoined(final Backend backend) throws Exception
    {
        final Map<List<Long>, Person> persons = new HashMap<>();
        final Map<List<Long>, Integer> auctions = new HashMap<>();
        for (final Event event : ALL)
        {
            if (event.person() != null)
            {
                final long start = event.dateTime() - Math.floorMod(event.dateTime(), WINDOW_MS);
                persons.put(List.of(event.person().id(), start), event.person());
            }
            else if (event.auction() != null)
            {
                final long start = event.dateTime() - Math.floorMod(event.dateTime(), WINDOW_MS);
                auctions.merge(List.of(event.auction().seller(), start), 1, Integer::sum);
            }
        }
        final List<NewUser> expected = new ArrayList<>();
        persons.forEach((idAndWindow, person) ->
        {
            for (int i = 0; i < auctions.getOrDefault(idAndWindow, 0); i++)
            {
                expected.add(new NewUser(person.id(), person.name(), idAndWindow.get(1)));
            }
        });
        assertTrue(expected.size() > 10, "q8 must find new users: " + expected.size());
        assertEquals(multiset(expected), run(NexmarkQueries::q8, backend));
    }
}
