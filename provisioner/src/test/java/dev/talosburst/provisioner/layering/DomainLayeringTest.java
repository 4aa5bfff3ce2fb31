package dev.talosburst.provisioner.layering;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The layering of the domain module (README "May import"): the domain imports no adapter module and no framework or wire
 * library, it talks to its ports only (CloudApi, UserDataSource, EventSink, NodeDirectory); and its packages form no
 * cycle. Fails on a new violation, so the layering does not rest on discipline.
 */
class DomainLayeringTest {

    private static final JavaClasses PROVISIONER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.talosburst.provisioner");

    @Test
    void theDomainImportsNoAdapter() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.talosburst.hcloud..",
                        "dev.talosburst.talos..",
                        "dev.talosburst.hcloudsim..",
                        "dev.talosburst.events..",
                        "dev.talosburst.autoscaler..",
                        "dev.talosburst.billing..")
                .because("the engine reaches Hetzner, Talos, Kafka and Kubernetes only through the ports it owns")
                .check(PROVISIONER);
    }

    @Test
    void theDomainImportsNoFrameworkOrWireLibrary() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.quarkus..",
                        "io.fabric8..",
                        "org.apache.kafka..",
                        "io.grpc..",
                        "com.google.protobuf..",
                        "com.fasterxml.jackson..",
                        "org.yaml..",
                        "io.github.resilience4j..",
                        "com.networknt..",
                        "java.net.http..",
                        "jakarta..",
                        "io.smallrye..",
                        "org.slf4j..")
                .because(
                        "the root README, Modules: the domain knows nothing of gRPC, HTTP, Kafka, YAML or Kubernetes clients")
                .check(PROVISIONER);
    }

    @Test
    void theDomainPackagesFormNoCycle() {
        slices().matching("dev.talosburst.provisioner.(*)..")
                .should()
                .beFreeOfCycles()
                .check(PROVISIONER);
    }
}
