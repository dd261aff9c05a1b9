package dev.millrace.broker.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class TopicNamesTest
{
    @Test
    void shouldAcceptLettersDigitsDotsUnderscoresAndDashesUpTo249Characters()
    {
        for (final String name : List.of("a", "Orders-2024_v1.raw", "...", "a".repeat(249)))
        {
            assertEquals(Optional.empty(), TopicNames.invalidReason(name), name);
        }
    }

    @Test
    void shouldRefuseEmptyDotDotDotTooLongAndIllegalCharacters()
    {
        for (final String name : List.of("", ".", "..", "a".repeat(250), "a b", "a/b", "a:b", "é"))
        {
            assertTrue(TopicNames.invalidReason(name).isPresent(), name);
        }
    }

    @Test
    void shouldReportCollisionOnlyBetweenDifferentNamesEqualOnceDotsAreUnderscores()
    {
        assertEquals(Optional.of("a_b"), TopicNames.collision("a.b", List.of("x", "a_b")));
        assertEquals(Optional.of("a.b"), TopicNames.collision("a_b", List.of("a.b")));
        assertEquals(Optional.empty(), TopicNames.collision("a.b", List.of("a.b")));
        assertEquals(Optional.empty(), TopicNames.collision("ab", List.of("a_b")));
    }
}
