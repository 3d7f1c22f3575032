"""Workflows: jobs that combine the core packages (savedmodel, inputs, engine, results).

Qt-free. The window and the command line are thin faces over them; nothing in the core imports
this package. ``run_session`` owns the run flow (target, inputs, the run going on, the history
of ``run_records``) that the window's Run button, Ctrl+R and ``MainWindow.run()`` all go through;
``compare_job`` runs the same inputs through two models; ``batch_job`` runs a
signature over a folder of images, ``.npy`` files or a TFRecord file of tf.Example records
(``batch_items`` finds the items and their labels, ``batch_feeds`` builds the batches,
``batch_summary`` turns outputs into per-item rows and data-set metrics).
"""
