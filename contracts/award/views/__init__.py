"""Pages of the award stage, one module per audience: officers (setting up and running competitions;
responses, awards and direct awards), evaluators and providers."""
