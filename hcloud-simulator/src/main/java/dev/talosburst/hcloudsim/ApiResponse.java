package dev.talosburst.hcloudsim;

import com.fasterxml.jackson.databind.JsonNode;

/** A JSON response with its HTTP status. */
record ApiResponse(int status, JsonNode body) {}
