package dev.talosburst.events.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The events module as an adapter (README "May import"): of talos-burst it imports the domain's lifecycle port only,
 * never the engine, another adapter, the simulator or the application; its package rules are in PackageDependenciesTest.
 */
class AdapterLayeringTest {

    private static final JavaClasses EVENTS = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.talosburst.events");

    @Test
    void importsOnlyTheLifecyclePortOfTheDomain() {
        noClasses()
                .should()
                .dependOnClassesThat(resideInAPackage("dev.talosburst..")
                        .and(resideOutsideOfPackages(
                                "dev.talosburst.events..", "dev.talosburst.provisioner.lifecycle..")))
                .because("events know nothing of gRPC, Hetzner or Talos; the app module wires them to the engine")
                .check(EVENTS);
    }
}
