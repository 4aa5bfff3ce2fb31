package dev.talosburst.hcloud.client;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The Hetzner adapter's layering (README "May import"): of talos-burst it imports the domain's Hetzner port
 * ({@code provisioner.cloud}) only, never the engine, another adapter or the simulator; no application framework; no
 * package cycle.
 */
class LayeringTest {

    private static final JavaClasses CLIENT = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.talosburst.hcloud.client");

    @Test
    void importsOnlyTheCloudPortOfTheDomain() {
        noClasses()
                .should()
                .dependOnClassesThat(resideInAPackage("dev.talosburst..")
                        .and(resideOutsideOfPackages(
                                "dev.talosburst.hcloud.client..", "dev.talosburst.provisioner.cloud..")))
                .because(
                        "an adapter implements its port; the engine, other adapters and the simulator are not its business")
                .check(CLIENT);
    }

    @Test
    void importsNoApplicationFramework() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.quarkus..", "io.fabric8..", "org.apache.kafka..", "io.grpc..", "jakarta..", "io.smallrye..")
                .because("the app module wires adapters; this one is plain Java")
                .check(CLIENT);
    }

    /** One package cannot form a cycle; a second one must come with a cycle rule (slices().beFreeOfCycles()) here. */
    @Test
    void theModuleIsOnePackage() {
        com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes()
                .should()
                .resideInAPackage("dev.talosburst.hcloud.client")
                .because("this module is one package; add a package-cycle rule to this test with a second one")
                .check(CLIENT);
    }
}
