package dev.tollgate.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A markup for the requested models a pattern matches, instead of the plan's markupPercent. */
public class ModelMarkup {

  @Required
  @Pattern(Formats.MODEL)
  @JsonPropertyDescription("A requested model name or glob (`*` matches any run of characters), e.g. `gpt-4o` or `claude-opus-*`: the name the client asks for, whichever target serves it.")
  private String model;

  @Required
  @Pattern(Formats.PERCENT)
  @JsonPropertyDescription("Markup on provider cost in percent for these models, decimal string with at most 4 decimals, e.g. \"40\".")
  private String markupPercent;

  public ModelMarkup() {}

  public ModelMarkup(String model, String markupPercent) {
    this.model = model;
    this.markupPercent = markupPercent;
  }

  public String getModel() {
    return model;
  }

  public void setModel(String model) {
    this.model = model;
  }

  public String getMarkupPercent() {
    return markupPercent;
  }

  public void setMarkupPercent(String markupPercent) {
    this.markupPercent = markupPercent;
  }
}
