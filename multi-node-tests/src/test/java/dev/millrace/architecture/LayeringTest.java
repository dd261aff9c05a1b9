package dev.millrace.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module table of ARCHITECTURE.md as a build check: dependencies point one way, and hot-path code
 * (format, storage) does not touch Pekko. This module sees every other module's classes, so the check
 * lives here; Maven's own dependency graph already stops a lower module from compiling against a higher
 * one, and this test also catches a wrong {@code <dependency>} added to a pom.
 */
class LayeringTest
{
    private static JavaClasses millrace;

    @BeforeAll
    static void importClasses()
    {
        millrace = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.millrace");
    }

    @Test
    void shouldOnlyDependOnLowerModules()
    {
        layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .withOptionalLayers(true)
            .layer("serialization").definedBy("dev.millrace.serialization..")
            .layer("transport-aeron").definedBy("dev.millrace.transport..")
            .layer("cluster-sharding").definedBy("dev.millrace.sharding..")
            .layer("actors-broker").definedBy("dev.millrace.broker..")
            .layer("actors-runtime").definedBy("dev.millrace.runtime..")
            .layer("deploy").definedBy("dev.millrace.deploy..")
            .layer("benchmarks").definedBy("dev.millrace.benchmarks..")
            .whereLayer("benchmarks").mayNotBeAccessedByAnyLayer()
            .whereLayer("deploy").mayOnlyBeAccessedByLayers("benchmarks")
            .whereLayer("actors-runtime").mayOnlyBeAccessedByLayers("deploy", "benchmarks")
            .whereLayer("actors-broker").mayOnlyBeAccessedByLayers("actors-runtime", "deploy", "benchmarks")
            .whereLayer("cluster-sharding").mayOnlyBeAccessedByLayers("actors-broker", "actors-runtime", "deploy", "benchmarks")
            .whereLayer("transport-aeron")
            .mayOnlyBeAccessedByLayers("cluster-sharding", "actors-broker", "actors-runtime", "deploy", "benchmarks")
            .check(millrace);
    }

    @Test
    void shouldKeepPekkoOutOfHotPaths()
    {
        noClasses()
            .that().resideInAnyPackage("dev.millrace.serialization.batch..", "dev.millrace.broker.log..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.pekko..", "scala..")
            .because("format and storage code runs per record and must stay free of actor machinery")
            .check(millrace);
    }
}
