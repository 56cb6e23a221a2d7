package dev.warden.policy.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

    @Test
    void generatedKeysHaveThePrefixAndFortyBase62Characters() {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String key = ApiKeys.generate();
            assertThat(key).matches("wdn-[0-9A-Za-z]{40}");
            keys.add(key);
        }
        assertThat(keys).hasSize(1000);
    }

    @Test
    void hashIsLowerCaseHexSha256AndTheKeyIdIsItsFirstEightDigits() {
        // printf 'wdn-test' | sha256sum
        String hash = ApiKeys.hash("wdn-test");
        assertThat(hash).isEqualTo("36192a58f6619b223795a1122d3d5d0d551a2a257e8945fdb6f1bd46593e22f2");
        assertThat(ApiKeys.keyId(hash)).isEqualTo(hash.substring(0, 8));
    }

    @Test
    void matchesOnlyTheKeyThatProducedTheHash() {
        String key = ApiKeys.generate();
        String hash = ApiKeys.hash(key);
        assertThat(ApiKeys.matches(key, hash)).isTrue();
        assertThat(ApiKeys.matches(key + "x", hash)).isFalse();
        assertThat(ApiKeys.matches(ApiKeys.generate(), hash)).isFalse();
        assertThat(ApiKeys.matches(null, hash)).isFalse();
        assertThat(ApiKeys.matches(key, "not-a-hash")).isFalse();
    }

    @Test
    void sameHashAcceptsOnlyAnEqualWellFormedStoredHash() {
        String hash = ApiKeys.hash(ApiKeys.generate());
        assertThat(ApiKeys.sameHash(hash, hash)).isTrue();
        assertThat(ApiKeys.sameHash(ApiKeys.hash(ApiKeys.generate()), hash)).isFalse();
        assertThat(ApiKeys.sameHash(hash.toUpperCase(), hash.toUpperCase())).isFalse();
        assertThat(ApiKeys.sameHash(null, hash)).isFalse();
        assertThat(ApiKeys.sameHash(hash, null)).isFalse();
    }

    @Test
    void shapeCheckRejectsWhatCannotBeAKey() {
        assertThat(ApiKeys.looksLikeKey(ApiKeys.generate())).isTrue();
        assertThat(ApiKeys.looksLikeKey("sk-" + "a".repeat(48))).isFalse();
        assertThat(ApiKeys.looksLikeKey("wdn-short")).isFalse();
        assertThat(ApiKeys.looksLikeKey(null)).isFalse();
    }
}
