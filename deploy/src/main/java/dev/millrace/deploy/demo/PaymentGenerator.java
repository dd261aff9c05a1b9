package dev.millrace.deploy.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Realistic card-payment events from a seeded {@link Random}: the same seed and clock give the same payments.
 *
 * <p>A fixed population of cards (each with a home country, where most of its payments happen) pays merchants of
 * typical categories; amounts follow a log-normal spread around each category's typical ticket (coffee is cheap,
 * airlines are not); a few payments are abroad. Keyed by card token, so one card's payments stay in order in one
 * partition.
 *
 * <p>Threading: not thread-safe; one generator per thread.
 */
public final class PaymentGenerator
{
    /** A merchant category: code, typical ticket in minor units and how widely amounts spread around it. */
    private record Category(String mcc, String[] merchants, long typicalMinor, double spread)
    {
    }

    private record Country(String code, String currency)
    {
    }

    private static final Category[] CATEGORIES = {
        new Category("5411", new String[] {"FreshMart", "Corner Grocer", "Biomarkt", "Supermercado Sol"}, 4_500, 0.8),
        new Category("5812", new String[] {"Trattoria Roma", "Le Petit Bistro", "Sushi Kai", "The Oak Tavern"}, 3_800, 0.6),
        new Category("5814", new String[] {"Bean There Coffee", "Quick Burger", "Bagel Bros"}, 900, 0.5),
        new Category("5541", new String[] {"Shell", "Aral", "Repsol", "BP"}, 6_000, 0.4),
        new Category("4111", new String[] {"Metro Transit", "City Rail", "Tram Pass"}, 280, 0.3),
        new Category("5732", new String[] {"ElectroWorld", "Pixel Store", "Gadget Hub"}, 24_000, 1.0),
        new Category("5999", new String[] {"Marketplace Online", "Shop-It", "Bazaar.io"}, 3_200, 1.1),
        new Category("4511", new String[] {"SkyWays", "EuroJet", "Atlantic Air"}, 32_000, 0.7),
        new Category("7011", new String[] {"Grand Hotel", "City Inn", "Harbour Suites"}, 14_000, 0.6),
        new Category("5912", new String[] {"Pharma Plus", "Apotheke am Markt", "Farmacia Centrale"}, 1_800, 0.7),
    };

    /** Weights of {@link #CATEGORIES}: everyday spending is most of it. */
    private static final int[] CATEGORY_WEIGHTS = {22, 14, 20, 10, 12, 3, 10, 2, 2, 5};

    private static final Country[] COUNTRIES = {
        new Country("DE", "EUR"), new Country("FR", "EUR"), new Country("ES", "EUR"), new Country("IT", "EUR"),
        new Country("NL", "EUR"), new Country("GB", "GBP"), new Country("US", "USD"), new Country("CH", "CHF"),
        new Country("SE", "SEK"), new Country("PL", "PLN"),
    };

    /** Share of payments made outside the card's home country. */
    private static final double ABROAD = 0.07;

    private final Random random;
    private final List<String> cards;
    private final List<Country> homes;
    private final int categoryWeightTotal;

    /**
     * @param seed  seeds everything: cards, merchants, amounts, ids
     * @param cards how many distinct cards pay (the key space), > 0
     */
    public PaymentGenerator(final long seed, final int cards)
    {
        if (cards <= 0)
        {
            throw new IllegalArgumentException("cards must be > 0, was " + cards);
        }
        this.random = new Random(seed);
        this.cards = new ArrayList<>(cards);
        this.homes = new ArrayList<>(cards);
        for (int i = 0; i < cards; i++)
        {
            this.cards.add("tok_" + hex(random.nextLong(), 12));
            this.homes.add(COUNTRIES[random.nextInt(COUNTRIES.length)]);
        }
        int total = 0;
        for (final int weight : CATEGORY_WEIGHTS)
        {
            total += weight;
        }
        this.categoryWeightTotal = total;
    }

    /** The next payment, authorised at {@code nowMs}. */
    public Payment next(final long nowMs)
    {
        final int card = random.nextInt(cards.size());
        final Country country = random.nextDouble() < ABROAD ? COUNTRIES[random.nextInt(COUNTRIES.length)] : homes.get(card);
        final Category category = category();
        final String merchant = category.merchants()[random.nextInt(category.merchants().length)];
        // Log-normal around the typical ticket, at least 0.50.
        final double factor = Math.exp(category.spread() * random.nextGaussian() - category.spread() * category.spread() / 2);
        final long amountMinor = Math.max(50, Math.round(category.typicalMinor() * factor));
        return new Payment("pay_" + hex(random.nextLong(), 16), cards.get(card), merchant, category.mcc(), amountMinor,
            country.currency(), country.code(), nowMs);
    }

    private Category category()
    {
        int pick = random.nextInt(categoryWeightTotal);
        for (int i = 0; i < CATEGORIES.length; i++)
        {
            pick -= CATEGORY_WEIGHTS[i];
            if (pick < 0)
            {
                return CATEGORIES[i];
            }
        }
        return CATEGORIES[CATEGORIES.length - 1];
    }

    private static String hex(final long value, final int digits)
    {
        final String text = String.format(Locale.ROOT, "%016x", value);
        return text.substring(16 - digits);
    }
}
