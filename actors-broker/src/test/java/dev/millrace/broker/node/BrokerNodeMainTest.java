package dev.millrace.broker.node;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrokerNodeMainTest
{
    @Test
    void shouldExitWithTwoNamingTheKeyOfABadSetting()
    {
        final String key = "millrace.broker.node.broker-id";
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setProperty(key, "-3");
        ConfigFactory.invalidateCaches();
        try
        {
            assertEquals(2, BrokerNodeMain.run(
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        }
        finally
        {
            System.clearProperty(key);
            ConfigFactory.invalidateCaches();
        }
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(key), err.toString(StandardCharsets.UTF_8));
    }
}
