package dev.talosburst.talos.workerconfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The last line of defence: values of the worker config are cut out of any message. */
class SecretRedactorTest {

    @Test
    void redactsConfigValuesButNotDocumentIdentity() {
        var docs = Rendered.ofYaml("""
                version: v1alpha1
                machine:
                  token: abcdef.0123456789abcdef
                  ca:
                    crt: Q0VSVA==
                cluster:
                  secret: c2VjcmV0c2VjcmV0c2VjcmV0
                  id: shortid1
                ---
                apiVersion: v1alpha1
                kind: DiscoveryIdentityConfig
                clusterSecret: zzzz
                """).documents;
        SecretRedactor redactor = SecretRedactor.of(docs);
        assertThat(redactor.redact("x abcdef.0123456789abcdef y Q0VSVA== c2VjcmV0c2VjcmV0c2VjcmV0 shortid1 zzzz"))
                .isEqualTo("x <redacted> y <redacted> <redacted> <redacted> <redacted>");
        assertThat(redactor.redact("document DiscoveryIdentityConfig, at machine: v1alpha1"))
                .isEqualTo("document DiscoveryIdentityConfig, at machine: v1alpha1");
        var patch = Rendered.ofYaml("machine:\n  registries:\n    config:\n      r:\n        auth:\n"
                        + "          password: hunter22\n  sysctls:\n    a: plainvalue\n")
                .documents;
        assertThat(redactor.with(patch).redact("hunter22 plainvalue")).isEqualTo("<redacted> plainvalue");
        assertThat(redactor.redact(new WorkerConfigException(
                                WorkerConfigException.Problem.CHECK_FAILED, "m shortid1", List.of("d zzzz")))
                        .getMessage())
                .isEqualTo("m <redacted>:\n  - d <redacted>");
    }
}
