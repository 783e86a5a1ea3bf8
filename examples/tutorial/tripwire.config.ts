// The tutorial's repository of automations (docs/tutorial.md). Its automations are read from automations/.
export default {
  owner: "tutorial",
  automations: ["automations"],
  entities: ["acme-ml"],
};
