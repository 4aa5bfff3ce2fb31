package dev.talosburst.events.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventIdsTest {

    @Test
    void nameBasedUuidMatchesRfc4122Version5() {
        // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "www.example.com")
        UUID dns = UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
        assertThat(EventIds.nameBased(dns, "www.example.com"))
                .isEqualTo(UUID.fromString("2ed6657d-e927-568b-95e1-2665a8aea6a2"));
    }

    @Test
    void sameIdentitySameIdDifferentIdentityDifferentId() {
        String a = EventIds.forIdentity("lab-1/workers-1/server-created");
        assertThat(EventIds.forIdentity("lab-1/workers-1/server-created")).isEqualTo(a);
        assertThat(EventIds.forIdentity("lab-1/workers-1/node-ready")).isNotEqualTo(a);
        assertThat(EventIds.forIdentity("lab-2/workers-1/server-created")).isNotEqualTo(a);
        assertThat(UUID.fromString(a).version()).isEqualTo(5);
    }
}
