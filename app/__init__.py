"""granska.app: question understanding, extractive answers, figure verification, the engine facade and the web app."""
