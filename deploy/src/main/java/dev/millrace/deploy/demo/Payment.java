package dev.millrace.deploy.demo;

import java.util.Locale;

/**
 * One card payment, as the demo writes it: keyed by {@link #cardToken}, the value is {@link #toJson()}.
 *
 * @param paymentId   unique id, {@code pay_} and 16 hex digits
 * @param cardToken   the card, tokenised (never a card number): {@code tok_} and 12 hex digits
 * @param merchant    the merchant's name
 * @param mcc         the merchant category code (ISO 18245), four digits
 * @param amountMinor the amount in minor units of {@link #currency} (cents)
 * @param currency    ISO 4217 code
 * @param country     ISO 3166 alpha-2 code of the merchant
 * @param timestampMs when the payment was authorised, epoch milliseconds
 */
public record Payment(
    String paymentId, String cardToken, String merchant, String mcc, long amountMinor, String currency, String country,
    long timestampMs)
{
    /** One line of JSON, fields in a fixed order; the amount as a decimal string, as payment APIs write it. */
    public String toJson()
    {
        return "{\"payment_id\":\"" + paymentId + "\",\"card_token\":\"" + cardToken + "\",\"merchant\":\"" +
            merchant + "\",\"mcc\":\"" + mcc + "\",\"amount\":{\"value\":\"" + amountText() + "\",\"currency\":\"" +
            currency + "\"},\"country\":\"" + country + "\",\"timestamp\":" + timestampMs + "}";
    }

    /** {@code 12.50} for 1250 minor units (every currency the demo uses has two decimals). */
    public String amountText()
    {
        return String.format(Locale.ROOT, "%d.%02d", amountMinor / 100, amountMinor % 100);
    }
}
