//! LED observation: classify light samples into (colour, cadence).
