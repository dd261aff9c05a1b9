package dev.millrace.runtime.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.millrace.runtime.api.CollectingSink;
import dev.millrace.runtime.api.DataStream;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.api.OutputTag;
import dev.millrace.runtime.operators.MapOperator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Chaining, edges and build-time validation of job graphs. */
class JobGraphBuilderTest
{
    @Test
    void shouldChainForwardOperatorsAndCutAtKeyBy()
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        job.fromGenerator(10, i -> i).name("gen")
            .map(i -> i + 1).name("plus")
            .filter(i -> i > 2).name("big")
            .keyBy(i -> i % 2)
            .reduce(Long::sum).name("sum")
            .sinkTo(new CollectingSink<>()).name("out");
        final JobGraph graph = job.build("chain");
        assertEquals(2, graph.vertices().size(), graph.describe());
        assertEquals("gen -> plus -> big", graph.vertex(0).name());
        assertEquals("sum -> out", graph.vertex(1).name());
        assertEquals(1, graph.edges().size());
        assertEquals(Partitioning.Kind.HASH, graph.edge(0).partitioning().kind());
        assertEquals(2, graph.inputChannels(1, 0).size(), "one channel per sending instance");
        assertEquals(128, graph.maxParallelism());
    }

    @Test
    void shouldRebalanceBetweenDifferentParallelismsAndForwardBetweenEqualOnesAfterAUnion()
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        final DataStream<Long> a = job.fromGenerator(10, i -> i).name("a");
        final DataStream<Long> b = job.fromGenerator(10, i -> i).name("b").map(i -> i).setParallelism(3).name("b3");
        a.union(b).map(i -> i).name("both").sinkTo(new CollectingSink<>());
        final JobGraph graph = job.build("union");
        // a, b, b3 (different parallelism: not chained), both (two inputs: not chained) with the sink chained.
        assertEquals(4, graph.vertices().size(), graph.describe());
        assertEquals("both -> Sink", graph.vertex(3).name());
        final List<Integer> inputs = graph.vertex(3).inputEdges();
        assertEquals(Partitioning.Kind.FORWARD, graph.edge(inputs.get(0)).partitioning().kind());
        assertEquals(Partitioning.Kind.REBALANCE, graph.edge(inputs.get(1)).partitioning().kind());
        assertEquals(1 + 3, graph.inputChannels(3, 1).size(), "forward: one channel; rebalance: one per sender");
    }

    @Test
    void shouldNotChainSideOutputs()
    {
        final OutputTag<Long> tag = new OutputTag<>("side");
        final JobBuilder job = JobBuilder.create();
        final DataStream<Long> main = job.fromGenerator(10, i -> i).map(i -> i);
        main.sinkTo(new CollectingSink<>());
        main.getSideOutput(tag).sinkTo(new CollectingSink<>());
        final JobGraph graph = job.build("side");
        assertEquals(2, graph.vertices().size(), graph.describe());
        assertEquals(tag, graph.edge(0).tag());
    }

    @Test
    void shouldRefuseAKeyedOperationOnANonKeyedStream()
    {
        final JobBuilder job = JobBuilder.create();
        job.fromGenerator(10, i -> i).transform("keyed-map", () -> new MapOperator<Long, Long>(i -> i), true)
            .sinkTo(new CollectingSink<>());
        final InvalidJobException e = assertThrows(InvalidJobException.class, () -> job.build("bad"));
        assertTrue(e.getMessage().contains("'keyed-map' is a keyed operation"), e.getMessage());
        assertTrue(e.getMessage().contains("keyBy"), e.getMessage());
    }

    @Test
    void shouldRefuseAParallelismAboveMaxParallelism()
    {
        final JobBuilder job = JobBuilder.create().setMaxParallelism(4);
        job.fromGenerator(10, i -> i).map(i -> i).setParallelism(5).name("wide").sinkTo(new CollectingSink<>());
        final InvalidJobException e = assertThrows(InvalidJobException.class, () -> job.build("bad"));
        assertTrue(e.getMessage().contains("'wide': parallelism 5 exceeds the job's maxParallelism 4"), e.getMessage());
    }

    @Test
    void shouldRefuseForwardBetweenDifferentParallelisms()
    {
        final JobBuilder job = JobBuilder.create();
        job.fromGenerator(10, i -> i).forward().map(i -> i).setParallelism(2).name("m").sinkTo(new CollectingSink<>());
        final InvalidJobException e = assertThrows(InvalidJobException.class, () -> job.build("bad"));
        assertTrue(e.getMessage().contains("forward needs equal parallelism"), e.getMessage());
    }

    @Test
    void shouldRefuseAJobWithoutSinkACollectionSourceAboveOneAndDuplicateUids()
    {
        final JobBuilder noSink = JobBuilder.create();
        noSink.fromGenerator(10, i -> i).map(i -> i);
        assertTrue(assertThrows(InvalidJobException.class, () -> noSink.build("none")).getMessage().contains("no sink"));

        final JobBuilder wideCollection = JobBuilder.create();
        wideCollection.fromCollection(List.of(1, 2)).setParallelism(2).sinkTo(new CollectingSink<>());
        assertTrue(assertThrows(InvalidJobException.class, () -> wideCollection.build("wide")).getMessage()
            .contains("at most 1"));

        final JobBuilder uids = JobBuilder.create();
        uids.fromGenerator(10, i -> i).uid("x").map(i -> i).uid("x").sinkTo(new CollectingSink<>());
        assertTrue(assertThrows(InvalidJobException.class, () -> uids.build("uids")).getMessage()
            .contains("uid 'x' is used by two operators"));
    }

    @Test
    void shouldRefuseAConfigurationCallOnAVirtualStream()
    {
        final JobBuilder job = JobBuilder.create();
        final DataStream<Long> union = job.fromGenerator(10, i -> i).union(job.fromGenerator(5, i -> i));
        assertThrows(IllegalStateException.class, () -> union.setParallelism(2));
    }
}
