package dev.talosburst.autoscaler.layering;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The application module's layering (README "May import"): it is the only module that wires adapters, and only its
 * {@code wiring} package does; the gRPC service is an adapter over the domain's node-group port; the simulator is never
 * referenced by production code (it is found at run time, {@code LocalHetzner}); no package cycle.
 */
class LayeringTest {

    private static final JavaClasses APP = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.talosburst.autoscaler");

    @Test
    void productionCodeNeverReferencesTheSimulator() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.talosburst.hcloudsim..")
                .because(
                        "the simulator is a runtime-only dependency for the demo profile; production code must build without it")
                .check(APP);
    }

    @Test
    void onlyTheWiringTouchesAdapters() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.talosburst.autoscaler.wiring..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.talosburst.hcloud..", "dev.talosburst.talos..", "dev.talosburst.events..")
                .because("adapters are chosen and connected to the domain's ports in one place")
                .check(APP);
    }

    @Test
    void theGrpcServiceIsAnAdapterOverTheNodeGroupPort() {
        noClasses()
                .that()
                .resideInAPackage("dev.talosburst.autoscaler.grpc..")
                .should()
                .dependOnClassesThat(resideInAPackage("dev.talosburst..")
                        .and(resideOutsideOfPackages(
                                "dev.talosburst.autoscaler.grpc..",
                                "dev.talosburst.autoscaler.config..",
                                "dev.talosburst.provisioner.nodegroup..",
                                "dev.talosburst.provisioner.pool..",
                                "dev.talosburst.proto..")))
                .because("CloudProviderService maps CA's RPCs onto NodeGroups; the engine stays behind that port")
                .check(APP);
    }

    @Test
    void noPackageCycle() {
        slices().matching("dev.talosburst.autoscaler.(*)..")
                .should()
                .beFreeOfCycles()
                .check(APP);
    }
}
