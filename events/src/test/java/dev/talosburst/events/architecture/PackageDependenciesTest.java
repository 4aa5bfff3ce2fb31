package dev.talosburst.events.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The events packages form no cycle: {@code model} is the base (events, their JSON, the billing rule they carry),
 * {@code billing} (the consumer side) depends on {@code model} only, {@code reconcile} on {@code model},
 * {@code publish} on both.
 */
class PackageDependenciesTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.talosburst.events");

    @Test
    void theEventsPackagesAreFreeOfCycles() {
        slices().matching("dev.talosburst.events.(*)..")
                .should()
                .beFreeOfCycles()
                .check(CLASSES);
    }

    @Test
    void theLedgerDependsOnTheModelOnly() {
        noClasses()
                .that()
                .resideInAPackage("dev.talosburst.events.ledger..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.talosburst.events.publish..", "dev.talosburst.events.reconcile..")
                .check(CLASSES);
    }

    @Test
    void theModelDependsOnNoOtherEventsPackage() {
        noClasses()
                .that()
                .resideInAPackage("dev.talosburst.events.model..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.talosburst.events.ledger..",
                        "dev.talosburst.events.publish..",
                        "dev.talosburst.events.reconcile..")
                .check(CLASSES);
    }
}
