"""Reading BPMN files: SpiffWorkflow's parser plus the element catalog the engine needs."""
