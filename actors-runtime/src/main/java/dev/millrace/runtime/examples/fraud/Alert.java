package dev.millrace.runtime.examples.fraud;

/**
 * A large payment soon after a small one on the same card (a thief testing a stolen card).
 *
 * @param cardId           the card
 * @param smallTimeMs      when the small payment was made
 * @param largeTimeMs      when the large one was made
 * @param largeAmountCents the large amount
 */
public record Alert(String cardId, long smallTimeMs, long largeTimeMs, long largeAmountCents)
{
}
