package dev.tollgate.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Observed state of a RoutePolicy. */
public class RoutePolicyStatus extends TollgateStatus {

  @JsonPropertyDescription("Version of the route plan in Redis: a hash of everything resolved into it (spec, credentials, sealing key). Usage records name it, so a bill can be traced to the prices in force.")
  private String version;

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }
}
