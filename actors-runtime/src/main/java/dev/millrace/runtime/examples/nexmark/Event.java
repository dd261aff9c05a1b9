package dev.millrace.runtime.examples.nexmark;

/**
 * One Nexmark event: exactly one of person, auction and bid is set.
 *
 * @param person  a new person, or null
 * @param auction a new auction, or null
 * @param bid     a new bid, or null
 */
public record Event(Person person, Auction auction, Bid bid)
{
    /** @return the event time, epoch ms */
    public long dateTime()
    {
        if (person != null)
        {
            return person.dateTime();
        }
        return auction != null ? auction.dateTime() : bid.dateTime();
    }
}
