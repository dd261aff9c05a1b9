package dev.millrace.runtime.examples.nexmark;

/**
 * A bid on an auction.
 *
 * @param auction  the auction id
 * @param bidder   the bidder's person id
 * @param price    price, cents
 * @param channel  where the bid came from
 * @param url      the bid page
 * @param dateTime event time, epoch ms
 */
public record Bid(long auction, long bidder, long price, String channel, String url, long dateTime)
{
}
