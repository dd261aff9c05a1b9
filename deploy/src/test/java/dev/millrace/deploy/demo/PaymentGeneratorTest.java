package dev.millrace.deploy.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

public class PaymentGeneratorTest
{
    public static final Pattern JSON = Pattern.compile("\\{\"payment_id\":\"pay_[0-9a-f]{16}\",\"card_token\":\"tok_[0-9a-f]{12}\"," +
        "\"merchant\":\"[^\"]+\",\"mcc\":\"\\d{4}\",\"amount\":\\{\"value\":\"\\d+\\.\\d{2}\",\"currency\":\"[A-Z]{3}\"}," +
        "\"country\":\"[A-Z]{2}\",\"timestamp\":\\d+}");

    private static final Map<String, String> CURRENCY = Map.of("DE", "EUR", "FR", "EUR", "ES", "EUR", "IT", "EUR",
        "NL", "EUR", "GB", "GBP", "US", "USD", "CH", "CHF", "SE", "SEK", "PL", "PLN");

    @Test
    void shouldGiveTheSamePaymentsForTheSameSeedAndClock()
    {
        final PaymentGenerator a = new PaymentGenerator(7, 100);
        final PaymentGenerator b = new PaymentGenerator(7, 100);
        final PaymentGenerator c = new PaymentGenerator(8, 100);
        final List<Payment> fromA = new ArrayList<>();
        final List<Payment> fromC = new ArrayList<>();
        for (int i = 0; i < 1_000; i++)
        {
            final Payment payment = a.next(1_000L + i);
            fromA.add(payment);
            assertEquals(payment, b.next(1_000L + i));
            fromC.add(c.next(1_000L + i));
        }
        assertNotEquals(fromA, fromC);
    }

    @Test
    void shouldWriteValidPlausiblePayments()
    {
        final PaymentGenerator generator = new PaymentGenerator(42, 500);
        final Set<String> ids = new HashSet<>();
        final Set<String> cards = new HashSet<>();
        final Map<String, Integer> byMcc = new HashMap<>();
        int abroad = 0;
        final Map<String, String> homeOf = new HashMap<>();
        for (int i = 0; i < 20_000; i++)
        {
            final Payment payment = generator.next(1_764_000_000_000L + i);
            assertTrue(JSON.matcher(payment.toJson()).matches(), payment.toJson());
            assertTrue(payment.amountMinor() >= 50, payment::toString);
            assertEquals(CURRENCY.get(payment.country()), payment.currency(), payment::toString);
            assertTrue(ids.add(payment.paymentId()), "unique payment ids");
            cards.add(payment.cardToken());
            byMcc.merge(payment.mcc(), 1, Integer::sum);
            final String home = homeOf.putIfAbsent(payment.cardToken(), payment.country());
            if (home != null && !home.equals(payment.country()))
            {
                abroad++;
            }
        }
        assertEquals(500, cards.size(), "every card pays");
        assertEquals(10, byMcc.size(), "every category appears");
        assertTrue(byMcc.get("5411") > byMcc.get("4511") * 5, "groceries far more often than airlines: " + byMcc);
        // Abroad share is 7 %; counted against each card's first country, so roughly twice that at most.
        assertTrue(abroad > 500 && abroad < 4_000, "abroad " + abroad);
        assertEquals("12.05", new Payment("p", "c", "m", "5411", 1205, "EUR", "DE", 0).amountText());
    }
}
