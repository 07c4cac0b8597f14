import { testCatalogTemplate } from "./template";

testCatalogTemplate("dynamodb-service");
