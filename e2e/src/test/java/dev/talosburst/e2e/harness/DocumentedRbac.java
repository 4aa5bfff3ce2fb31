package dev.talosburst.e2e.harness;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The RBAC rules of the README's "Kubernetes permissions (RBAC)" section, read from the README itself and applied as
 * they are, so the suite proves that what is documented is sufficient (and docs and proof cannot drift).
 */
public final class DocumentedRbac {

    private static final String SECTION = "## Kubernetes permissions (RBAC)";

    private DocumentedRbac() {
    }

    /** The first {@code yaml} code block of the section. */
    public static String yamlFrom(Path readme) {
        String text;
        try {
            text = Files.readString(readme);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + readme, e);
        }
        int section = text.indexOf(SECTION);
        if (section < 0) {
            throw new IllegalStateException(readme + " has no section '" + SECTION + "'");
        }
        int next = text.indexOf("\n## ", section + SECTION.length());
        String body = text.substring(section, next < 0 ? text.length() : next);
        int start = body.indexOf("```yaml\n");
        if (start < 0) {
            throw new IllegalStateException("section '" + SECTION + "' of " + readme + " has no ```yaml block");
        }
        int end = body.indexOf("\n```", start + 8);
        return body.substring(start + 8, end + 1);
    }

    /** Applies the documented roles and binds each to {@code user} (talos-burst's client certificate CN). */
    public static List<HasMetadata> applyAndBind(KubernetesClient admin, Path readme, String user) {
        List<HasMetadata> roles = admin.load(new ByteArrayInputStream(yamlFrom(readme).getBytes(StandardCharsets.UTF_8))).items();
        if (roles.isEmpty()) {
            throw new IllegalStateException("the RBAC block of " + readme + " holds no objects");
        }
        List<HasMetadata> applied = new ArrayList<>();
        for (HasMetadata role : roles) {
            applied.add(admin.resource(role).create());
            String name = role.getMetadata().getName();
            if (role instanceof ClusterRole) {
                admin.resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(name).endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", name)
                        .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName(user).endSubject()
                        .build()).create();
            } else if (role instanceof Role) {
                admin.resource(new RoleBindingBuilder().withNewMetadata().withName(name).withNamespace(role.getMetadata().getNamespace())
                        .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "Role", name)
                        .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName(user).endSubject()
                        .build()).create();
            } else {
                throw new IllegalStateException("unexpected kind in the README's RBAC block: " + role.getKind());
            }
        }
        return applied;
    }
}
