"""The route advisor's decision logic: the tree as data, and a walker with no Rasa imports."""
