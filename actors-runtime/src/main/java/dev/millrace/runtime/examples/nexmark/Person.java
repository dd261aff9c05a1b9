package dev.millrace.runtime.examples.nexmark;

/**
 * A person who opens an account to sell or bid.
 *
 * @param id           person id (from {@link NexmarkGenerator#FIRST_PERSON_ID})
 * @param name         full name
 * @param emailAddress e-mail
 * @param creditCard   card number
 * @param city         city
 * @param state        US state code
 * @param dateTime     event time, epoch ms
 */
public record Person(long id, String name, String emailAddress, String creditCard, String city, String state,
                     long dateTime)
{
}
