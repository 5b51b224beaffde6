package dev.tollgate.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** What every Tollgate kind reports: the generation last acted on and its conditions. */
public abstract class TollgateStatus {

  @JsonPropertyDescription("The `metadata.generation` the operator last reconciled.")
  private Long observedGeneration;

  @JsonPropertyDescription("Current conditions: `Ready` always, `ResolvedRefs` for kinds that reference other objects.")
  private List<Condition> conditions = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions == null ? new ArrayList<>() : conditions;
  }
}
