package dev.warden.gateway.responses;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The store behind {@code previous_response_id} and {@code /v1/responses/{id}}. */
@Configuration(proxyBeanMethods = false)
public class ResponsesConfiguration {

    @Bean
    StoredResponses storedResponses(ResponsesProperties properties) {
        return new StoredResponses(properties.maxStored(), properties.retention());
    }
}
