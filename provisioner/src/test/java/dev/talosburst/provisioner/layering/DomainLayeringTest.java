package dev.talosburst.provisioner.layering;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The domain of talos-burst (engine, pools, node groups and the ports it owns) imports no adapter of its own module
 * (the Hetzner HTTP client, the Talos renderer) and no framework or wire library: it talks to ports only. Fails on a
 * new violation, so the layering does not rest on discipline.
 */
class DomainLayeringTest {

    private static final JavaClasses PROVISIONER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.talosburst");

    private static final String[] DOMAIN = {"dev.talosburst.provisioner.engine..", "dev.talosburst.provisioner.pool..",
            "dev.talosburst.provisioner.nodegroup..", "dev.talosburst.provisioner.cloud..", "dev.talosburst.provisioner.lifecycle..",
            "dev.talosburst.provisioner.directory.."};

    @Test
    void theDomainImportsNoAdapter() {
        noClasses().that().resideInAnyPackage(DOMAIN)
                .should().dependOnClassesThat().resideInAnyPackage("dev.talosburst.hcloud.client..",
                        "dev.talosburst.talos.workerconfig..")
                .because("the engine reaches Hetzner and Talos only through its ports (CloudApi, UserDataSource)")
                .check(PROVISIONER);
    }

    @Test
    void theDomainImportsNoFrameworkOrWireLibrary() {
        noClasses().that().resideInAnyPackage(DOMAIN)
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "io.fabric8..", "org.apache.kafka..",
                        "io.grpc..", "com.fasterxml.jackson..", "io.github.resilience4j..", "com.networknt..", "java.net.http..",
                        "jakarta..", "io.smallrye..")
                .because("ARCHITECTURE.md: the domain knows nothing of gRPC, HTTP, Kafka, YAML or Kubernetes clients")
                .check(PROVISIONER);
    }
}
