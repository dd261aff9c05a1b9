package dev.millrace.runtime.examples.nexmark;

/**
 * An item put up for auction.
 *
 * @param id          auction id (from {@link NexmarkGenerator#FIRST_AUCTION_ID})
 * @param itemName    item name
 * @param description description
 * @param initialBid  starting price, cents
 * @param reserve     reserve price, cents
 * @param dateTime    event time, epoch ms
 * @param expires     end of the auction, epoch ms
 * @param seller      the seller's person id
 * @param category    category id (from {@link NexmarkGenerator#FIRST_CATEGORY_ID})
 */
public record Auction(long id, String itemName, String description, long initialBid, long reserve, long dateTime,
                      long expires, long seller, long category)
{
}
