package dev.millrace.runtime.examples.nexmark;

import java.util.SplittableRandom;

/**
 * The Nexmark event stream as a pure function of the event number, so any source instance can generate its
 * share independently and a test can regenerate exactly the same events.
 *
 * <p>Shape, as in the Nexmark benchmark: out of every 50 events, 1 person, 3 auctions, 46 bids (in that order
 * within the group of 50). Ids grow with the event number. Sellers are "hot" (a few person ids, rounded down
 * to a multiple of 4) 3 times in 4, else a recent person (possibly one a few ids ahead, not seen yet); bids go
 * to a hot auction (id rounded down to a multiple of 100) 1 time in 2, else to one of the ~100 auctions in
 * flight; bidders are hot 3 times in 4. Prices are log-uniform between $1 and $1M. Every random choice
 * comes from a {@link SplittableRandom} seeded with the generator's seed and the event number.
 *
 * <p>Event time: {@code baseTimeMs + n * 1000 / eventsPerSecond}, minus a delay in {@code [0,
 * maxOutOfOrdernessMs]} drawn per event, so events arrive out of order by at most that bound.
 * Not modelled: the padding of records to Nexmark's average byte sizes, and rate changes over time.
 *
 * <p>Threading: immutable, thread-safe.
 */
public final class NexmarkGenerator
{
    /** First person id. */
    public static final long FIRST_PERSON_ID = 1000;
    /** First auction id. */
    public static final long FIRST_AUCTION_ID = 1000;
    /** First category id. */
    public static final long FIRST_CATEGORY_ID = 10;
    /** Number of categories. */
    public static final int CATEGORIES = 5;
    /** Persons, auctions and bids out of every {@link #PROPORTION_DENOMINATOR} events. */
    public static final int PERSON_PROPORTION = 1;
    /** Auctions per group. */
    public static final int AUCTION_PROPORTION = 3;
    /** Bids per group. */
    public static final int BID_PROPORTION = 46;
    /** Events per group. */
    public static final int PROPORTION_DENOMINATOR = PERSON_PROPORTION + AUCTION_PROPORTION + BID_PROPORTION;

    private static final int HOT_SELLER_RATIO = 4;
    private static final int HOT_AUCTION_RATIO = 100;
    private static final int HOT_BIDDER_RATIO = 100;
    private static final int ACTIVE_PEOPLE = 1000;
    private static final int PERSON_ID_LEAD = 10;
    private static final int IN_FLIGHT_AUCTIONS = 100;
    private static final int AUCTION_ID_LEAD = 10;
    private static final String[] FIRST_NAMES = {"Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie",
        "Sarah", "Deiter", "Walter"};
    private static final String[] LAST_NAMES = {"Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith",
        "Jones", "Noris"};
    private static final String[] STATES = {"AZ", "CA", "ID", "OR", "WA", "WY"};
    private static final String[] CITIES = {"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend",
        "Redmond", "Seattle", "Kent", "Cheyenne"};
    private static final String[] CHANNELS = {"Google", "Facebook", "Baidu", "Apple"};
    private static final String[] URLS = {"https://www.nexmark.com/google/item.htm?query=1",
        "https://www.nexmark.com/facebook/item.htm?query=1", "https://www.nexmark.com/baidu/item.htm?query=1",
        "https://www.nexmark.com/apple/item.htm?query=1"};

    private final long seed;
    private final long baseTimeMs;
    private final long eventsPerSecond;
    private final long maxOutOfOrdernessMs;

    /**
     * @param seed                fixes every random choice
     * @param baseTimeMs          event time of event 0
     * @param eventsPerSecond     event-time rate
     * @param maxOutOfOrdernessMs largest delay of an event behind its nominal time
     */
    public NexmarkGenerator(final long seed, final long baseTimeMs, final long eventsPerSecond,
        final long maxOutOfOrdernessMs)
    {
        if (eventsPerSecond < 1 || maxOutOfOrdernessMs < 0 || baseTimeMs < maxOutOfOrdernessMs)
        {
            throw new IllegalArgumentException("need eventsPerSecond >= 1, 0 <= maxOutOfOrdernessMs <= baseTimeMs");
        }
        this.seed = seed;
        this.baseTimeMs = baseTimeMs;
        this.eventsPerSecond = eventsPerSecond;
        this.maxOutOfOrdernessMs = maxOutOfOrdernessMs;
    }

    /** @return a generator with the defaults used by the examples: seed 42, 1000 events/s, 200 ms disorder */
    public static NexmarkGenerator defaults()
    {
        return new NexmarkGenerator(42, 1_600_000_000_000L, 1_000, 200);
    }

    /** @return the largest delay of an event behind its nominal time */
    public long maxOutOfOrdernessMs()
    {
        return maxOutOfOrdernessMs;
    }

    /**
     * @param n the event number, from 0
     * @return the event
     */
    public Event event(final long n)
    {
        final SplittableRandom random = new SplittableRandom(seed ^ (n * 0x9E3779B97F4A7C15L));
        final long delay = maxOutOfOrdernessMs == 0 ? 0 : random.nextLong(maxOutOfOrdernessMs + 1);
        final long timeMs = baseTimeMs + n * 1000 / eventsPerSecond - delay;
        final long epoch = n / PROPORTION_DENOMINATOR;
        final long offset = n % PROPORTION_DENOMINATOR;
        if (offset < PERSON_PROPORTION)
        {
            return new Event(person(FIRST_PERSON_ID + epoch, random, timeMs), null, null);
        }
        if (offset < PERSON_PROPORTION + AUCTION_PROPORTION)
        {
            final long id = FIRST_AUCTION_ID + epoch * AUCTION_PROPORTION + offset - PERSON_PROPORTION;
            return new Event(null, auction(id, epoch, random, timeMs), null);
        }
        return new Event(null, null, bid(epoch, random, timeMs));
    }

    private static Person person(final long id, final SplittableRandom random, final long timeMs)
    {
        final String name = FIRST_NAMES[random.nextInt(FIRST_NAMES.length)] + " "
            + LAST_NAMES[random.nextInt(LAST_NAMES.length)];
        final String email = name.replace(' ', '.').toLowerCase(java.util.Locale.ROOT) + "@example.com";
        final String card = String.format("%04d %04d %04d %04d", random.nextInt(10_000), random.nextInt(10_000),
            random.nextInt(10_000), random.nextInt(10_000));
        return new Person(id, name, email, card, CITIES[random.nextInt(CITIES.length)],
            STATES[random.nextInt(STATES.length)], timeMs);
    }

    private static Auction auction(final long id, final long epoch, final SplittableRandom random, final long timeMs)
    {
        // The person of this epoch was generated just before.
        final long lastPerson = epoch;
        final long seller;
        if (random.nextInt(HOT_SELLER_RATIO) > 0)
        {
            seller = (lastPerson / HOT_SELLER_RATIO) * HOT_SELLER_RATIO;
        }
        else
        {
            seller = recentPerson(lastPerson, random);
        }
        final long initialBid = price(random);
        return new Auction(id, "item-" + id, "description of item " + id, initialBid, initialBid + price(random),
            timeMs, timeMs + 2_000 + random.nextLong(18_000), FIRST_PERSON_ID + seller,
            FIRST_CATEGORY_ID + random.nextInt(CATEGORIES));
    }

    private static Bid bid(final long epoch, final SplittableRandom random, final long timeMs)
    {
        final long lastAuction = epoch * AUCTION_PROPORTION + AUCTION_PROPORTION - 1;
        final long auction;
        if (random.nextInt(2) > 0)
        {
            auction = (lastAuction / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO;
        }
        else
        {
            final long min = Math.max(lastAuction - IN_FLIGHT_AUCTIONS, 0);
            auction = min + random.nextLong(lastAuction - min + 1 + AUCTION_ID_LEAD);
        }
        final long bidder;
        if (random.nextInt(HOT_SELLER_RATIO) > 0)
        {
            bidder = (epoch / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO;
        }
        else
        {
            bidder = recentPerson(epoch, random);
        }
        final int channel = random.nextInt(CHANNELS.length);
        return new Bid(FIRST_AUCTION_ID + auction, FIRST_PERSON_ID + bidder, price(random), CHANNELS[channel],
            URLS[channel], timeMs);
    }

    private static long recentPerson(final long lastPerson, final SplittableRandom random)
    {
        final long people = lastPerson + 1;
        final long active = Math.min(people, ACTIVE_PEOPLE);
        return people - active + random.nextLong(active + PERSON_ID_LEAD);
    }

    private static long price(final SplittableRandom random)
    {
        return Math.round(Math.pow(10.0, random.nextDouble() * 6.0) * 100.0);
    }
}
